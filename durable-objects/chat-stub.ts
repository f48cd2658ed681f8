import type { Region } from "../workers/lib/vocabulary";
import { correlatedStub } from "./correlated";

/**
 * The ChatRoom of one user. EU users' rooms live in the EU jurisdiction so their conversation
 * never leaves it; other regions use the default namespace. Locally (workerd has no jurisdictions)
 * every room uses the default namespace.
 *
 * @example const room = roomStub(c.env, principal.userId, principal.region);
 */
export function roomStub(env: Env, userId: string, region: Region) {
  const ns =
    region === "eu" && env.ENVIRONMENT !== "local" ? env.CHAT_ROOM.jurisdiction("eu") : env.CHAT_ROOM;
  // With the current request id on every call (durable-objects/correlated.ts).
  return correlatedStub(ns.get(ns.idFromName(userId)), "ownerId");
}
