import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notificationDeadLetters } from "../workers/db/schema";
import { resolve } from "../workers/features/notifications/service";
import { AppError } from "../workers/lib/errors";
import { makeEvent } from "../workers/lib/events";
import { createLogger } from "../workers/lib/logger";
import { createScope, jobAudit, type Scope, withPrincipal } from "../workers/lib/scope";
import { createUser, testConfig } from "./fixtures";
import { db } from "./notify-helpers";

/**
 * An admin retrying an EVENT dead letter while the events queue is down: the answer is a 503 and
 * the dead letter stays open (before, it was marked "retried" first and the event was lost behind
 * that status when the send failed); once the queue answers, the retry publishes and marks it.
 */
function adminScope(admin: { id: string }, events: { send: (body: unknown) => Promise<unknown> }): Scope {
  const base = createScope({
    env: { ...env, EVENTS: events } as unknown as Env,
    config: testConfig(),
    log: createLogger("error"),
    audit: jobAudit("test.dead-letter-retry"),
  });
  return withPrincipal(base, {
    userId: admin.id,
    role: "admin",
    region: "us",
    sessionId: crypto.randomUUID(),
    jti: crypto.randomUUID(),
    exp: Math.floor(Date.now() / 1000) + 600,
    mfa: true,
    via: "bearer",
  });
}

describe("retrying an event dead letter", () => {
  it("answers 503 and keeps it open while the queue is down; publishes, then marks it, once it is back", async () => {
    const admin = await createUser("admin", "us");
    const patient = await createUser("patient", "us");
    const event = makeEvent({
      v: 1,
      type: "security.sign_in",
      region: "us",
      userId: patient.id,
      sessionId: crypto.randomUUID(),
    });
    const [row] = await db("us")
      .insert(notificationDeadLetters)
      .values({
        messageId: `dl-retry-${crypto.randomUUID()}`,
        queue: "haven-events",
        eventType: event.type,
        errorCode: "event_failed",
        attempts: 5,
        body: event,
      })
      .returning();
    const id = row?.id ?? "";

    const down = adminScope(admin, {
      send: async () => {
        throw new Error("queue unavailable");
      },
    });
    const err = await resolve(down, id, "retried").then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("service_unavailable");
    expect((err as AppError).headers?.["retry-after"]).toBe("5");
    const [still] = await db("us")
      .select()
      .from(notificationDeadLetters)
      .where(eq(notificationDeadLetters.id, id));
    expect(still?.status).toBe("open");

    const sent: unknown[] = [];
    const up = adminScope(admin, {
      send: async (body: unknown) => {
        sent.push(body);
      },
    });
    const done = await resolve(up, id, "retried");
    expect(done.status).toBe("retried");
    expect(sent).toHaveLength(1);
    expect((sent[0] as { id: string }).id).toBe(event.id);
  });
});
