import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { safetyPlanForCrisis } from "../../../durable-objects/chat-safety";
import { addToCareTeam, connect } from "../../../test/chat-helpers";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import { safetyPlans } from "../../db/schema";
import { createDatabase } from "../../lib/db";
import { createLogger } from "../../lib/logger";
import { createScope, jobAudit } from "../../lib/scope";

const CRISIS = "I want to kill myself tonight, I have the pills";
const SECTIONS = {
  warningSigns: ["Not sleeping", "Skipping meals"],
  copingStrategies: ["Cold shower", "Walk the dog"],
  distractions: ["Cafe on Elm street"],
  helpContacts: [{ name: "Sam (sister)", phone: "+1 555 0100" }],
  professionals: [{ name: "Dr Lee", phone: "+1 555 0199" }],
  safeEnvironment: ["Give the pills to Sam to keep"],
  reasonsForLiving: ["My daughter"],
};
const put = (user: TestUser, path: string, body: unknown) =>
  call(path, {
    method: "PUT",
    headers: { "content-type": "application/json", ...user.auth },
    body: JSON.stringify(body),
  });

describe("safety plan", () => {
  it("is versioned, encrypted at rest, and refuses a stale save with 409", async () => {
    const p = await createUser("patient");
    const empty = (await (await call("/v1/me/safety-plan", { headers: p.auth })).json()) as { plan: unknown };
    expect(empty.plan).toBeNull();
    const first = await put(p, "/v1/me/safety-plan", { baseVersion: 0, sections: SECTIONS });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ plan: { version: 1, sections: SECTIONS, authorId: p.id } });
    const second = await put(p, "/v1/me/safety-plan", {
      baseVersion: 1,
      sections: { ...SECTIONS, reasonsForLiving: ["My daughter", "The sea"] },
    });
    const body = (await second.json()) as { plan: { version: number }; versions: { version: number }[] };
    expect(body.plan.version).toBe(2);
    expect(body.versions.map((v) => v.version)).toEqual([2, 1]);
    const stale = await put(p, "/v1/me/safety-plan", { baseVersion: 1, sections: SECTIONS });
    expect(stale.status).toBe(409);
    const rows = await createDatabase(testConfig(), "us")
      .select()
      .from(safetyPlans)
      .where(eq(safetyPlans.userId, p.id));
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.contentEnc).not.toMatch(/daughter|Sam|pills/);
  });

  it("a care-team clinician reads it and writes a version with the patient; others get 404", async () => {
    const [p, clinician, stranger] = await Promise.all([
      createUser("patient"),
      createUser("clinician"),
      createUser("clinician"),
    ]);
    await addToCareTeam(p, clinician);
    const saved = await put(clinician, `/v1/patients/${p.id}/safety-plan`, {
      baseVersion: 0,
      sections: SECTIONS,
    });
    expect(await saved.json()).toMatchObject({ plan: { version: 1, authorId: clinician.id } });
    const read = await call(`/v1/patients/${p.id}/safety-plan`, { headers: clinician.auth });
    expect(await read.json()).toMatchObject({ plan: { sections: SECTIONS } });
    expect((await call(`/v1/patients/${p.id}/safety-plan`, { headers: stranger.auth })).status).toBe(404);
    expect(
      (await put(stranger, `/v1/patients/${p.id}/safety-plan`, { baseVersion: 1, sections: SECTIONS }))
        .status,
    ).toBe(404);
    const own = (await (await call("/v1/me/safety-plan", { headers: p.auth })).json()) as {
      plan: { sections: unknown };
    };
    expect(own.plan.sections).toEqual(SECTIONS);
  });

  it("is shown in the chat's crisis response, after the crisis lines and about the same message", async () => {
    const p = await createUser("patient");
    await put(p, "/v1/me/safety-plan", { baseVersion: 0, sections: SECTIONS });
    const client = await connect(p);
    client.send({ type: "message", text: CRISIS, clientId: "c1" });
    const crisis = await client.waitFor((f) => f.type === "crisis");
    expect(JSON.stringify(crisis.resources)).toMatch(/988|911/);
    const plan = await client.waitFor((f) => f.type === "safety_plan");
    expect(plan).toMatchObject({ about: crisis.about, version: 1, sections: SECTIONS });
    expect(Number(plan.seq)).toBeGreaterThan(Number(crisis.seq));
    client.close();
  });

  it("without a plan the crisis response is unchanged (no plan event), and a failing read returns null", async () => {
    const p = await createUser("patient");
    const client = await connect(p);
    client.send({ type: "message", text: CRISIS, clientId: "c1" });
    await client.waitFor((f) => f.type === "crisis");
    await client.waitFor((f) => f.type === "crisis_status");
    expect(client.frames.some((f) => f.type === "safety_plan")).toBe(false);
    client.close();
    // A database that cannot be reached: the crisis path's reader answers null instead of throwing.
    const broken = createScope({
      env: {} as Env,
      config: { ...testConfig(), DATABASE_URL_US: "postgres://nobody:x@127.0.0.1:1/none" },
      log: createLogger("error"),
      audit: jobAudit("test"),
    });
    expect(await safetyPlanForCrisis(broken, p.id, "us", 2000)).toBeNull();
  });
});

describe("safety plan in the C-SSRS result page", () => {
  const CSRF = "test-csrf-token-0123456789";
  const post = (user: TestUser, fields: Record<string, string>) =>
    call("/screeners/c-ssrs", {
      method: "POST",
      headers: {
        cookie: `haven_at=${user.token}; haven_csrf=${CSRF}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ csrf: CSRF, ...fields }).toString(),
      redirect: "manual",
    });
  const positive = { wishedDead: "yes", suicidalThoughts: "no", behavior: "no" };

  it("shows the plan before the crisis lines on a positive screen, and the lines without a plan", async () => {
    const [withPlan, without] = await Promise.all([createUser("patient"), createUser("patient")]);
    await put(withPlan, "/v1/me/safety-plan", { baseVersion: 0, sections: SECTIONS });
    const html = await (await post(withPlan, positive)).text();
    const plan = html.indexOf("Your safety plan");
    const lines = html.indexOf("Need help now?");
    expect(plan).toBeGreaterThan(0);
    expect(lines).toBeGreaterThan(plan);
    expect(html).toContain("Give the pills to Sam to keep");
    const bare = await (await post(without, positive)).text();
    expect(bare).not.toContain("Your safety plan");
    expect(bare).toContain("Need help now?");
  });
});
