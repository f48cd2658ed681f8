import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications } from "../workers/db/schema";
import { materialize, PartialMaterializeError } from "../workers/features/notifications/consumer";
import { enqueue, SEND_BATCH_MAX } from "../workers/features/notifications/queue";
import { userRegionKey } from "../workers/lib/care-data/region";
import type { Database } from "../workers/lib/db";
import { makeEvent } from "../workers/lib/events";
import type { Scope } from "../workers/lib/scope";
import type { Region } from "../workers/lib/vocabulary";
import { createUser } from "./fixtures";
import { db, jobScope } from "./notify-helpers";

/**
 * One recipient who cannot be planned must not keep the other recipients of the same event from
 * being notified; the event is retried for the one that failed. Before, the whole event failed at
 * that recipient and every recipient planned after them was skipped at every retry.
 *
 * The failure: the directory (Redis) places the broken admin in "eu" and the eu database is down
 * (a scope whose eu client throws), so their row cannot be read; everything else is the real path.
 */
const euDown = (base: Scope): Scope => ({
  ...base,
  db: (region: Region) =>
    region === "eu"
      ? new Proxy({} as Database, {
          get() {
            throw new Error("eu database down");
          },
        })
      : base.db(region),
});

const mineOf = (userId: string, eventId: string) =>
  db("apac")
    .select()
    .from(notifications)
    .where(and(eq(notifications.recipientId, userId), eq(notifications.eventId, eventId)));

describe("one failing recipient does not block the others", () => {
  it("plans every other admin's deliveries, reports the failure for a retry, and the retry completes", async () => {
    const broken = await createUser("admin", "apac");
    const fine = await createUser("admin", "apac");
    const event = makeEvent({
      v: 1,
      type: "ops.alert",
      region: "apac",
      alertname: "HavenDependencyDown",
      severity: "critical",
      status: "firing",
      fingerprint: crypto.randomUUID().replaceAll("-", "").slice(0, 16),
      startsAt: new Date().toISOString(),
    });
    const base = jobScope();
    await base.redis().set(userRegionKey(broken.id), "eu");
    const err = await materialize(euDown(base), event).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PartialMaterializeError);
    const partial = err as PartialMaterializeError;
    expect(partial.failed).toBe(1);
    // The working admin's email (critical: sent at once) is among the deliveries to send now.
    const [mine] = await mineOf(fine.id, event.id);
    expect(mine?.critical).toBe(true);
    expect(partial.deliveries.length).toBeGreaterThanOrEqual(1);

    // Recovered: the retry plans the one that failed; nothing twice for the others.
    await base.redis().set(userRegionKey(broken.id), "apac");
    await materialize(jobScope(), event);
    expect(await mineOf(fine.id, event.id)).toHaveLength(1);
    expect(await mineOf(broken.id, event.id)).toHaveLength(1);
  });
});

describe("an event with more recipients than one queue batch carries", () => {
  it("sends its deliveries in batches of at most 100 (an over-long batch is refused whole)", async () => {
    const batches: number[] = [];
    const queue = {
      sendBatch: async (messages: unknown[]) => {
        // What Cloudflare Queues (and the local queue) do with more than 100 messages.
        if (messages.length > SEND_BATCH_MAX) throw new Error("sendBatch: too many messages");
        batches.push(messages.length);
      },
    };
    const messages = Array.from({ length: 230 }, () => ({
      deliveryId: crypto.randomUUID(),
      region: "us" as const,
    }));
    await enqueue({ ...env, DELIVERIES: queue } as unknown as Env, messages);
    expect(batches).toEqual([100, 100, 30]);
  });
});
