import { currentRequestId, REQUEST_ID_HEADER } from "../workers/lib/correlation";
import type { Region } from "../workers/lib/vocabulary";

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
  const stub = ns.get(ns.idFromName(userId));
  const requestId = currentRequestId();
  // Outside any unit of work (a test harness inspecting the object) the plain stub is returned.
  return requestId ? correlated(stub, requestId) : stub;
}

/**
 * The stub with the current request id on every call: added to the room reference (the first
 * argument of every room RPC, `{ ownerId, region }`) and as `x-request-id` on `fetch`, so the
 * room's logs and upstream calls carry the Worker request's id.
 */
function correlated<S extends object>(stub: S, id: string): S {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "fetch" && args[0] instanceof Request && !args[0].headers.has(REQUEST_ID_HEADER)) {
          const req = new Request(args[0]);
          req.headers.set(REQUEST_ID_HEADER, id);
          args[0] = req;
        } else if (typeof args[0] === "object" && args[0] !== null && "ownerId" in args[0]) {
          args[0] = { ...args[0], requestId: id };
        }
        return Reflect.apply(value, target, args);
      };
    },
  });
}
