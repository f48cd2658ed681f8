import type { Region } from "../workers/lib/vocabulary";
import { correlatedStub } from "./correlated";

/**
 * The WearableStream of one user. EU users' streams live in the EU jurisdiction; locally (workerd
 * has no jurisdictions) every stream uses the default namespace.
 *
 * @example const stream = streamStub(c.env, userId, "eu");
 */
export function streamStub(env: Env, userId: string, region: Region) {
  const ns =
    region === "eu" && env.ENVIRONMENT !== "local"
      ? env.WEARABLE_STREAM.jurisdiction("eu")
      : env.WEARABLE_STREAM;
  // With the current request id on every call (durable-objects/correlated.ts).
  return correlatedStub(ns.get(ns.idFromName(userId)), "userId");
}

/** Tells a user's stream about a consent change (best effort: the stream re-checks within 15 s). */
export async function tellStreamConsent(
  env: Env,
  log: { warn(event: string, fields?: Record<string, unknown>): void },
  userId: string,
  region: Region,
  allowed: boolean,
): Promise<void> {
  try {
    await streamStub(env, userId, region).setConsent({ userId, region }, allowed);
  } catch (err) {
    log.warn("wearable_consent_push_failed", { error: err instanceof Error ? err.name : typeof err });
  }
}
