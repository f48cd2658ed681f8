import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notificationPreferences, notifications } from "../workers/db/schema";
import { readMailbox } from "../workers/features/accounts/mail";
import { OpsAlert } from "../workers/lib/events";
import { createUser, type TestUser } from "./fixtures";
import { call, until } from "./helpers";
import { db, deliveriesFor, jobScope, settings } from "./notify-helpers";

/**
 * Alertmanager → Haven's webhook → `ops.alert` events → the real queue consumers → every admin's
 * inbox and email (the dev mailbox), per preferences; critical alerts bypass quiet hours; one
 * notification per (fingerprint, status, startsAt) however often Alertmanager repeats itself.
 */

function payload(status: "firing" | "resolved", alert: Record<string, unknown>) {
  return {
    version: "4",
    status,
    receiver: "haven-ops-critical",
    alerts: [{ annotations: { summary: "no PHI here" }, ...alert, status }],
  };
}

async function post(body: unknown): Promise<Response> {
  return call("/ops/alertmanager", {
    method: "POST",
    headers: { authorization: `Bearer ${env.OPS_WEBHOOK_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function opsNotes(user: TestUser) {
  return db(user.region)
    .select()
    .from(notifications)
    .where(and(eq(notifications.recipientId, user.id), eq(notifications.kind, "ops.alert")));
}

/** The notification of `user` in `state`, with its email delivery once it has left "queued"/"sending". */
async function settled(user: TestUser, state: string) {
  return until(async () => {
    const n = (await opsNotes(user)).find((x) => x.data?.state === state);
    if (!n) return undefined;
    const email = (await deliveriesFor(n.id, user.region)).find((d) => d.channel === "email");
    return email && !["queued", "sending"].includes(email.status) ? { n, email } : undefined;
  }, 60_000);
}

const fingerprint = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);

describe("ops alerts reach admins as notifications", () => {
  it("a critical alert: every admin (any region) gets it in-app and by email, quiet hours or not; once", async () => {
    const quiet = await createUser("admin", "us");
    const eu = await createUser("admin", "eu");
    const clinician = await createUser("clinician", "us");
    // Quiet all day in UTC (00:00–23:59): a critical alert still goes out now.
    await settings(quiet, { timeZone: "UTC", quietStart: 0, quietEnd: 1439 });
    const alert = {
      labels: { alertname: "HavenDependencyDown", severity: "critical", dependency: "database" },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      fingerprint: fingerprint(),
    };
    const res = await post(payload("firing", alert));
    expect(res.status).toBe(200);

    for (const admin of [quiet, eu]) {
      const { n, email } = await settled(admin, "firing");
      expect(n).toMatchObject({ critical: true, severity: "critical", patientId: null });
      expect(n.data).toMatchObject({ alert: "HavenDependencyDown", state: "firing" });
      expect(["sent", "delivered"]).toContain(email.status);
      expect(email.releaseAt).toBeNull();
    }
    expect(await opsNotes(clinician)).toEqual([]);

    // The inbox shows it, with the rule's name and state (and nothing from the annotations).
    const inbox = await call("/v1/me/notifications", { headers: quiet.auth });
    expect(inbox.status).toBe(200);
    const items = (
      (await inbox.json()) as { notifications: Array<{ eventType: string; text: string; title: string }> }
    ).notifications;
    const item = items.find((i) => i.eventType === "ops.alert");
    expect(item?.title).toBe("Haven: operations alert");
    expect(item?.text).toContain("HavenDependencyDown is firing");
    expect(JSON.stringify(items)).not.toContain("no PHI here");

    // The email is in the dev mailbox, addressed to the admin.
    const mail = (await readMailbox(jobScope())).find(
      (m) => m.to === quiet.email && m.subject === "Haven: operations alert",
    );
    expect(mail?.text).toContain("HavenDependencyDown is firing");

    // Alertmanager repeats the same notification (repeat_interval, or a retry): nothing new.
    expect((await post(payload("firing", alert))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    const again = await opsNotes(quiet);
    expect(again.filter((x) => x.data?.state === "firing")).toHaveLength(1);
    const emails = (await deliveriesFor(again[0]?.id ?? "", "us")).filter((d) => d.channel === "email");
    expect(emails).toHaveLength(1);
    expect(
      (await readMailbox(jobScope())).filter(
        (m) => m.to === quiet.email && m.subject === "Haven: operations alert",
      ),
    ).toHaveLength(1);

    // Resolved: a second notification, not critical, so it waits for the end of quiet hours.
    expect((await post(payload("resolved", { ...alert, endsAt: new Date().toISOString() }))).status).toBe(
      200,
    );
    const resolvedQuiet = await settled(quiet, "resolved");
    expect(resolvedQuiet.n.critical).toBe(false);
    expect(resolvedQuiet.email.status).toBe("held");
    const resolvedEu = await settled(eu, "resolved");
    expect(["sent", "delivered"]).toContain(resolvedEu.email.status);
    // Every admin in the shared test database is notified (other files create many): generous limit.
  }, 180_000);

  it("preferences hold: an admin who turned off ops email gets the warning in-app only", async () => {
    const admin = await createUser("admin", "apac");
    await db("apac")
      .insert(notificationPreferences)
      .values({ userId: admin.id, eventType: "ops.alert", channel: "email", enabled: false });
    const alert = {
      labels: { alertname: "HavenHighLatency", severity: "warning" },
      startsAt: new Date().toISOString(),
      fingerprint: fingerprint(),
    };
    expect((await post(payload("firing", alert))).status).toBe(200);
    const n = await until(async () => (await opsNotes(admin))[0], 60_000);
    expect(n.critical).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    const channels = (await deliveriesFor(n.id, "apac")).map((d) => d.channel);
    expect(channels).toEqual(["in_app"]);
  }, 90_000);

  it("the event carries codes only and refuses free text", () => {
    const ok = {
      id: crypto.randomUUID(),
      occurredAt: new Date().toISOString(),
      v: 1,
      type: "ops.alert",
      region: "us",
      alertname: "HavenDependencyDown",
      severity: "critical",
      status: "firing",
      fingerprint: "abc123",
      startsAt: new Date().toISOString(),
    };
    expect(OpsAlert.safeParse(ok).success).toBe(true);
    expect(OpsAlert.safeParse({ ...ok, alertname: "Jane Doe is suicidal" }).success).toBe(false);
    expect(OpsAlert.safeParse({ ...ok, status: "pending" }).success).toBe(false);
  });
});
