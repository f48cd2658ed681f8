import type { present } from "../../../workers/features/lifecycle/service";
import { PostForm } from "../auth/forms";
import { Layout } from "../layout";

type Request = Awaited<ReturnType<typeof present>>;
const day = (iso: string | null) => (iso ? new Date(iso).toUTCString() : "—");

export function DataPage({
  csrf,
  requests,
  notice,
}: {
  csrf: string;
  requests: Request[];
  notice?: string | undefined;
}) {
  const exports = requests.filter((r) => r.kind === "export");
  const erasure = requests.find(
    (r) => r.kind === "erasure" && ["pending", "held", "running", "failed"].includes(r.status),
  );
  return (
    <Layout title="Your data">
      <h1>Your data</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <section class="card" aria-labelledby="export">
        <h2 id="export">Export everything Haven holds about you</h2>
        <p>
          You get a readable file (JSON) and the same data as a FHIR record other health services can read.
          Files are kept for 7 days; each download link works for 15 minutes and only while you are signed in.
        </p>
        <PostForm action="/account/data/export" csrf={csrf}>
          <button type="submit">Prepare my export</button>
        </PostForm>
        <ul class="plain">
          {exports.map((r) => (
            <li class="session">
              <p>
                Requested {day(r.requestedAt)}: <strong>{r.status}</strong>
                {r.expiresAt ? `, available until ${day(r.expiresAt)}` : ""}
              </p>
              {r.downloads ? (
                <p>
                  <a href={r.downloads.json} download>
                    Download (JSON)
                  </a>{" "}
                  ·{" "}
                  <a href={r.downloads.fhir} download>
                    Download (FHIR)
                  </a>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="erase">
        <h2 id="erase">Erase my account</h2>
        {erasure ? (
          <>
            <p>
              Your erasure is <strong>{erasure.status}</strong>
              {erasure.dueAt ? ` and takes effect on ${day(erasure.dueAt)}` : ""}.
              {erasure.status === "held"
                ? " A legal hold currently prevents it; we will tell you when it is lifted."
                : ""}
            </p>
            {erasure.status === "pending" || erasure.status === "held" ? (
              <PostForm action={`/account/data/${erasure.id}/cancel`} csrf={csrf}>
                <button type="submit" class="secondary">
                  Cancel my erasure
                </button>
              </PostForm>
            ) : null}
          </>
        ) : (
          <>
            <p>
              After 7 days (you can cancel until then) your account, conversations, check-ins, screeners and
              everything else Haven holds about you are deleted, and your encryption key is destroyed so no
              copy can be read again. Records of who accessed your data are kept, without your name, as the
              law requires.
            </p>
            <PostForm action="/account/data/erase" csrf={csrf}>
              <label for="confirm">Type ERASE to confirm</label>
              <input id="confirm" name="confirm" type="text" autocomplete="off" required />
              <button type="submit">Erase my account</button>
            </PostForm>
          </>
        )}
      </section>
    </Layout>
  );
}
