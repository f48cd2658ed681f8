import type { Child } from "hono/jsx";
import { PostForm } from "../auth/forms";
import { Layout } from "../layout";

const SECTIONS = [
  ["/admin", "Overview"],
  ["/admin/users", "Users"],
  ["/admin/audit", "Audit"],
  ["/admin/break-glass", "Break-glass"],
  ["/admin/data-requests", "Data requests"],
  ["/admin/keys", "Keys"],
  ["/admin/compliance", "Compliance"],
] as const;

/** Every console page: the layout, the console's own navigation and a heading. */
export function AdminShell({
  title,
  children,
  notice,
}: {
  title: string;
  children: Child;
  notice?: string | undefined;
}) {
  return (
    <Layout title={`Admin · ${title}`} styles={["/assets/admin.css"]}>
      <nav class="admin-nav" aria-label="Admin console">
        <ul>
          {SECTIONS.map(([href, label]) => (
            <li>
              <a href={href}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <h1>{title}</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {children}
    </Layout>
  );
}

/** A table with a caption (screen readers announce it) and header cells with scope. */
export function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: Child[][] }) {
  return (
    <div class="table-wrap">
      <table class="data">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colspan={head.length}>Nothing to show.</td>
            </tr>
          ) : (
            rows.map((r) => (
              <tr>
                {r.map((cell) => (
                  <td>{cell}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export function StatusText({ status }: { status: string }) {
  const cls = status === "pass" ? "status-pass" : status === "fail" ? "status-fail" : "status-na";
  const word = status === "pass" ? "Pass" : status === "fail" ? "Fail" : "Not applicable";
  return <span class={cls}>{word}</span>;
}

/** A one-button POST form (CSRF field included). */
export function ActionButton({
  action,
  csrf,
  label,
  secondary,
}: {
  action: string;
  csrf: string;
  label: string;
  secondary?: boolean;
}) {
  return (
    <PostForm action={action} csrf={csrf} class="inline-form">
      <button type="submit" class={secondary ? "secondary" : undefined}>
        {label}
      </button>
    </PostForm>
  );
}

/** Region picker for the per-region pages (GET form). */
export function RegionFilter({ action, region, extra }: { action: string; region: string; extra?: Child }) {
  return (
    <form method="get" action={action} class="filters">
      <label>
        Region
        <select name="region">
          {["us", "eu", "apac"].map((r) => (
            <option value={r} selected={r === region}>
              {r.toUpperCase()}
            </option>
          ))}
        </select>
      </label>
      {extra}
      <button type="submit">Show</button>
    </form>
  );
}
