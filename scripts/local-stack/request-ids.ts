/**
 * What each local stand-in (Neon, Upstash, the model) remembers of the `x-request-id` headers it
 * received, so a test can prove a request's id reached every upstream: `GET /__request-ids?id=X`
 * answers `{ id, seen }` (how many calls carried it). Bounded: the oldest ids are forgotten.
 */
import type { IncomingMessage } from "node:http";

const LIMIT = 20_000;

export interface RequestIdRecorder {
  note(req: IncomingMessage): void;
  seen(id: string): number;
}

export function requestIdRecorder(): RequestIdRecorder {
  const seen = new Map<string, number>();
  return {
    note(req) {
      const h = req.headers["x-request-id"];
      const id = Array.isArray(h) ? h[0] : h;
      if (!id || id.length > 128) return;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      if (seen.size > LIMIT) {
        const oldest = seen.keys().next().value;
        if (oldest !== undefined) seen.delete(oldest);
      }
    },
    seen: (id) => seen.get(id) ?? 0,
  };
}

/** The `/__request-ids` answer for a request URL, or null when the path is another one. */
export function requestIdsAnswer(
  rec: RequestIdRecorder,
  method: string | undefined,
  url: URL,
): { id: string; seen: number } | null {
  if (method !== "GET" || url.pathname !== "/__request-ids") return null;
  const id = url.searchParams.get("id") ?? "";
  return { id, seen: rec.seen(id) };
}
