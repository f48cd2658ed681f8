import { z } from "zod";
import { insertDeadLetter } from "../../lib/care-data/notifications";
import { loadConfig } from "../../lib/config";
import { currentRequestId, REQUEST_ID_PATTERN, runWithRequestId } from "../../lib/correlation";
import { DomainEvent } from "../../lib/events";
import { createLogger } from "../../lib/logger";
import { createScope, jobAudit, type Scope } from "../../lib/scope";
import { RegionSchema } from "../../lib/vocabulary";
import { type DeliveryMessage, materialize, PartialMaterializeError } from "./consumer";
import { attemptDelivery } from "./deliver";
import { receiveLocalPush } from "./dev-push";
import { type Fetch, type Providers, providersFor } from "./providers";
import { backoffSeconds } from "./rules";

/**
 * The queue consumers (`queue` export of the Worker): domain events → notifications and planned
 * deliveries; delivery attempts → providers, with retries and failover; dead letters → a table
 * admins work from. Every message body is parsed with zod; a malformed one is acknowledged and
 * logged by queue name only (retrying it cannot make it valid).
 */

export const DeliveryMessageSchema = z.object({
  deliveryId: z.string().uuid(),
  region: RegionSchema,
  /** The request (or job) the delivery descends from: its logs and provider calls carry it. */
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
});

/** A queue batch's scope: a system job with its own id. */
export function queueScope(env: Env, name: string): Scope {
  const log = createLogger("warn", { component: name });
  return createScope({ env, config: loadConfig(env, log), log, audit: jobAudit(name), redisTimeoutMs: 3000 });
}

/** The providers of this environment, with the local push service in-process in local mode. */
export function defaultProviders(scope: Scope, fetcher?: Fetch): Providers {
  return providersFor(scope, {
    ...(fetcher ? { fetch: fetcher } : {}),
    localPush: (input, init) => receiveLocalPush(scope, new Request(input, init)),
  });
}

/** Cloudflare Queues accept at most 100 messages per `sendBatch`. */
export const SEND_BATCH_MAX = 100;

async function enqueue(env: Env, messages: DeliveryMessage[]): Promise<void> {
  const requestId = currentRequestId();
  // In chunks: one event can fan out to more recipients than one batch may carry (an ops alert
  // to every admin, a crisis alert to a large care team); an over-long batch is refused whole.
  for (let i = 0; i < messages.length; i += SEND_BATCH_MAX) {
    await env.DELIVERIES.sendBatch(
      messages
        .slice(i, i + SEND_BATCH_MAX)
        .map((body) => ({ body: { requestId, ...body }, contentType: "json" as const })),
    );
  }
}

/** Events: each message is materialised on its own; a failure retries that message only, with backoff. */
export async function handleEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const scope = queueScope(env, "notify.events");
  for (const msg of batch.messages) {
    const parsed = DomainEvent.safeParse(msg.body);
    if (!parsed.success) {
      scope.log.error("event_malformed", { queue: batch.queue });
      msg.ack();
      continue;
    }
    // The publisher's request id for this message's logs and upstream calls (else the batch's job id).
    await runWithRequestId(parsed.data.requestId ?? scope.audit.requestId, async () => {
      try {
        await enqueue(env, await materialize(scope, parsed.data));
        msg.ack();
      } catch (err) {
        // Recipients that were planned are sent now; the event is retried for the others.
        if (err instanceof PartialMaterializeError) await enqueue(env, err.deliveries).catch(() => undefined);
        scope.log.warn("event_failed", {
          type: parsed.data.type,
          id: parsed.data.id,
          error: (err as Error).name,
        });
        msg.retry({ delaySeconds: backoffSeconds("transient", msg.attempts, Math.random()) });
      }
    });
  }
}

/** Delivery attempts: retried per the provider's error class; failovers are enqueued at once. */
export async function handleDeliveries(
  batch: MessageBatch<unknown>,
  env: Env,
  providers?: (scope: Scope) => Providers,
): Promise<void> {
  const scope = queueScope(env, "notify.deliver");
  const p = providers ? providers(scope) : defaultProviders(scope);
  for (const msg of batch.messages) {
    const parsed = DeliveryMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      scope.log.error("delivery_malformed", { queue: batch.queue });
      msg.ack();
      continue;
    }
    const { requestId, ...delivery } = parsed.data;
    await runWithRequestId(requestId ?? scope.audit.requestId, async () => {
      try {
        const outcome = await attemptDelivery(scope, delivery, p);
        if (outcome.kind === "retry") msg.retry({ delaySeconds: outcome.delaySeconds });
        else {
          if (outcome.kind === "failed" && outcome.failover) await enqueue(env, [outcome.failover]);
          msg.ack();
        }
      } catch (err) {
        // Our own failure (database, Redis): retried by the queue; after max_retries it dead-letters.
        scope.log.warn("delivery_error", { deliveryId: delivery.deliveryId, error: (err as Error).name });
        msg.retry({ delaySeconds: backoffSeconds("transient", msg.attempts, Math.random()) });
      }
    });
  }
}

/**
 * Dead letters the queues moved here after max_retries (our own failures): kept once per message
 * id, in the region the message names, for an admin to inspect and retry. Provider failures are
 * recorded where they happen (see deliver.ts), with their error code.
 */
export async function handleDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const scope = queueScope(env, "notify.dead_letters");
  for (const msg of batch.messages) {
    const event = DomainEvent.safeParse(msg.body);
    const delivery = DeliveryMessageSchema.safeParse(msg.body);
    const region = event.success ? event.data.region : delivery.success ? delivery.data.region : null;
    if (!region) {
      scope.log.error("dead_letter_malformed", { queue: batch.queue });
      msg.ack();
      continue;
    }
    try {
      await insertDeadLetter(scope.db(region), {
        messageId: msg.id,
        queue: event.success ? "haven-events" : "haven-deliveries",
        deliveryId: delivery.success ? delivery.data.deliveryId : null,
        eventType: event.success ? event.data.type : null,
        errorCode: "queue_retries_exhausted",
        attempts: msg.attempts,
        body: event.success ? event.data : delivery.success ? delivery.data : {},
      });
      msg.ack();
    } catch {
      msg.retry({ delaySeconds: 60 });
    }
  }
}

/** The Worker's `queue` handler: routes a batch by queue name (environments add a suffix). */
export async function queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.startsWith("haven-events")) return handleEvents(batch, env);
  if (batch.queue.startsWith("haven-deliveries")) return handleDeliveries(batch, env);
  if (batch.queue.startsWith("haven-dead-letters")) return handleDeadLetters(batch, env);
  for (const m of batch.messages) m.ack();
}

export { enqueue };
