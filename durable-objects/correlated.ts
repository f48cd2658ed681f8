import { currentRequestId, REQUEST_ID_HEADER, runWithRequestId } from "../workers/lib/correlation";

/**
 * Request ids across the Durable Object boundary (workers/lib/correlation.ts): the Worker's stub
 * adds the current id to the object reference every RPC takes first (`{ ownerId | userId, region }`)
 * and as `x-request-id` on `fetch`; the object runs the call under it ({@link traced}), so its logs
 * and upstream calls carry the Worker request's id.
 */

/** The stub with the current request id on every call (the plain stub outside any unit of work). */
export function correlatedStub<S extends object>(stub: S, refKey: "ownerId" | "userId"): S {
  const id = currentRequestId();
  if (!id) return stub;
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "fetch" && args[0] instanceof Request && !args[0].headers.has(REQUEST_ID_HEADER)) {
          const req = new Request(args[0]);
          req.headers.set(REQUEST_ID_HEADER, id);
          args[0] = req;
        } else if (typeof args[0] === "object" && args[0] !== null && refKey in args[0]) {
          args[0] = { ...args[0], requestId: id };
        }
        return Reflect.apply(value, target, args);
      };
    },
  });
}

/** Runs an RPC call inside the object under the caller's request id (carried on the reference). */
export function traced<T>(ref: unknown, work: () => Promise<T>): Promise<T> {
  const id = typeof ref === "object" && ref !== null && "requestId" in ref ? ref.requestId : undefined;
  return runWithRequestId(typeof id === "string" ? id : undefined, work);
}
