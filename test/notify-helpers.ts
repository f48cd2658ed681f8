import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import {
  notificationDeadLetters,
  notificationDeliveries,
  notificationSettings,
  notifications,
  pushSubscriptions,
} from "../workers/db/schema";
import type { OutboundMessage, Providers, SendResult } from "../workers/features/notifications/providers";
import { createDatabase } from "../workers/lib/db";
import { createLogger } from "../workers/lib/logger";
import { createScope, jobAudit, type Scope } from "../workers/lib/scope";
import type { Region } from "../workers/lib/vocabulary";
import { type TestUser, testConfig } from "./fixtures";

/** A system-job scope, as a queue consumer builds one. */
export const jobScope = (): Scope =>
  createScope({ env, config: testConfig(), log: createLogger("error"), audit: jobAudit("test.notify") });

export const db = (region: Region = "us") => createDatabase(testConfig(), region);

/** Providers that record every send and answer what `answer` says (default: success). */
export function fakeProviders(
  answer: (channel: string, n: number) => SendResult = () => ({ ok: true, providerMessageId: "x" }),
) {
  const sent: Array<{ channel: string; msg: OutboundMessage }> = [];
  const counts: Record<string, number> = {};
  const make = (channel: string) => ({
    send: async (msg: OutboundMessage) => {
      counts[channel] = (counts[channel] ?? 0) + 1;
      const res = answer(channel, counts[channel] ?? 0);
      if (res.ok) sent.push({ channel, msg });
      return res;
    },
  });
  const providers: Providers = { email: make("email"), sms: make("sms"), push: make("push") };
  return { providers, sent, counts };
}

export async function settings(user: TestUser, values: Partial<typeof notificationSettings.$inferInsert>) {
  await db(user.region)
    .insert(notificationSettings)
    .values({ userId: user.id, ...values })
    .onConflictDoUpdate({ target: notificationSettings.userId, set: values });
}

export async function pushSub(
  user: TestUser,
  endpoint = `https://fcm.googleapis.com/fcm/send/${crypto.randomUUID()}`,
) {
  await db(user.region).insert(pushSubscriptions).values({
    userId: user.id,
    endpoint,
    // A valid P-256 point and auth secret (RFC 8291 Appendix A's user agent).
    p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
    auth: "BTBZMqHH6r4Tts7J_aSIgg",
  });
}

export async function notificationsOf(user: TestUser, region: Region = "us") {
  return db(region).select().from(notifications).where(eq(notifications.recipientId, user.id));
}

export async function deliveriesFor(notificationId: string, region: Region = "us") {
  return db(region)
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.notificationId, notificationId));
}

export async function delivery(id: string, region: Region = "us") {
  const [row] = await db(region)
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.id, id));
  expect(row).toBeDefined();
  return row as typeof notificationDeliveries.$inferSelect;
}

export async function deadLettersOf(deliveryId: string, region: Region = "us") {
  return db(region)
    .select()
    .from(notificationDeadLetters)
    .where(and(eq(notificationDeadLetters.deliveryId, deliveryId)));
}
