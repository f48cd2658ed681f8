import { roomStub } from "../../../durable-objects/chat-stub";
import { userRegionKey } from "../../lib/care-data/region";
import { sessionDenylistKey } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";

/** What erasure knows about the subject before their account row is gone. */
export interface Subject {
  id: string;
  region: Region;
  emailHash: string;
  sessionIds: string[];
}

/** One store's outcome on an erasure certificate. `reached: false` means NOT erased (retried). */
export interface StoreResult {
  store: string;
  reached: boolean;
  removed: number;
  /** Read back raw after erasing: what is still there (must be 0 for a completed erasure). */
  remaining: number;
  /** Object stores: objects deleted per item (recording id → chunks), so the certificate lists them. */
  objects?: Record<string, number>;
  /** A short code when the store could not be reached; never a driver message. */
  error?: string;
}

/**
 * A store outside the subject's regional Postgres. Each erases and then READS ITSELF BACK; a store
 * that throws is reported unreached (the erasure stays incomplete and is retried), never skipped.
 */
export interface OutsideStore {
  name: string;
  erase(scope: Scope, s: Subject): Promise<{ removed: number; objects?: Record<string, number> }>;
  remaining(scope: Scope, s: Subject): Promise<number>;
}

export const redisKeysOf = (s: Subject) => [
  userRegionKey(s.id),
  `mfa-setup:${s.id}`,
  `throttle:login:acct:${s.emailHash}`,
];
export const directoryKeyOf = (s: Subject) => `dir:${s.emailHash}`;

function wearableStub(env: Env, userId: string, region: Region) {
  const ns =
    region === "eu" && env.ENVIRONMENT !== "local"
      ? env.WEARABLE_STREAM.jurisdiction("eu")
      : env.WEARABLE_STREAM;
  return ns.get(ns.idFromName(userId));
}

/** R2 objects of the subject in the EXPORTS bucket: export archives under their prefix. */
export const objectPrefixes = (s: Subject) => [`exports/${s.region}/${s.id}/`];

/**
 * R2 prefix of a patient's recording chunks, or of one recording: the sessions feature writes
 * `recordings/<patient>/<recording>/<n>` (workers/features/sessions/recording.ts; the tests write
 * chunks through its route, so a change of that layout fails them).
 */
export const recordingsPrefix = (patientId: string, recordingId?: string) =>
  `recordings/${patientId}/${recordingId ? `${recordingId}/` : ""}`;

/** Deletes every object under `prefix` (in slices of 1000, R2's limit); returns the keys deleted. */
export async function deleteUnder(bucket: R2Bucket, prefix: string): Promise<string[]> {
  const keys = await listAll(bucket, prefix);
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
  return keys;
}

async function listAll(bucket: R2Bucket, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/**
 * Every store outside Postgres that can hold the subject's data, in erasure order. Sessions are
 * cut first (so nothing new is written), then the Durable Objects, Redis, the cross-region
 * directory and object storage (export archives, then recording chunks: deleted, not only
 * shredded, and listed per recording on the certificate).
 */
export const OUTSIDE_STORES: OutsideStore[] = [
  {
    name: "sessions_denylist",
    erase: async (scope, s) => {
      if (s.sessionIds.length === 0) return { removed: 0 };
      const p = scope.redis().pipeline();
      for (const sid of s.sessionIds) p.set(sessionDenylistKey(sid), "erased", { ex: 3600 });
      await p.exec();
      return { removed: s.sessionIds.length };
    },
    remaining: async (scope, s) => {
      if (s.sessionIds.length === 0) return 0;
      const denied = await scope.redis().exists(...s.sessionIds.map(sessionDenylistKey));
      return s.sessionIds.length - denied;
    },
  },
  {
    name: "durable_object:chat_room",
    erase: async (scope, s) => {
      const res = await roomStub(scope.env, s.id, s.region).erase({ ownerId: s.id, region: s.region });
      if (!res.ok) throw new Error("room_refused");
      return { removed: 1 };
    },
    remaining: async (scope, s) => roomStub(scope.env, s.id, s.region).storedRows(),
  },
  {
    name: "durable_object:wearable_stream",
    erase: async (scope, s) => {
      await wearableStub(scope.env, s.id, s.region).erase();
      return { removed: 1 };
    },
    remaining: async (scope, s) => wearableStub(scope.env, s.id, s.region).storedRows(),
  },
  {
    name: "redis",
    erase: async (scope, s) => ({ removed: await scope.redis().del(...redisKeysOf(s)) }),
    remaining: (scope, s) => scope.redis().exists(...redisKeysOf(s)),
  },
  {
    name: "directory",
    erase: async (scope, s) => ({ removed: await scope.redis().del(directoryKeyOf(s)) }),
    remaining: (scope, s) => scope.redis().exists(directoryKeyOf(s)),
  },
  {
    name: "r2:exports",
    erase: async (scope, s) => {
      let removed = 0;
      for (const prefix of objectPrefixes(s)) {
        const keys = await listAll(scope.env.EXPORTS, prefix);
        for (let i = 0; i < keys.length; i += 1000) await scope.env.EXPORTS.delete(keys.slice(i, i + 1000));
        removed += keys.length;
      }
      return { removed };
    },
    remaining: async (scope, s) => {
      let n = 0;
      for (const prefix of objectPrefixes(s)) n += (await listAll(scope.env.EXPORTS, prefix)).length;
      return n;
    },
  },
  {
    name: "r2:recordings",
    erase: async (scope, s) => {
      const prefix = recordingsPrefix(s.id);
      const keys = await deleteUnder(scope.env.RECORDINGS, prefix);
      const objects: Record<string, number> = {};
      for (const key of keys) {
        const recording = key.slice(prefix.length).split("/")[0] ?? "";
        objects[recording] = (objects[recording] ?? 0) + 1;
      }
      return { removed: keys.length, objects };
    },
    remaining: async (scope, s) => (await listAll(scope.env.RECORDINGS, recordingsPrefix(s.id))).length,
  },
];

/** Runs one outside store: erase, then read back; an exception is an unreached store. */
export async function runStore(scope: Scope, store: OutsideStore, s: Subject): Promise<StoreResult> {
  try {
    const { removed, objects } = await store.erase(scope, s);
    const remaining = await store.remaining(scope, s);
    return { store: store.name, reached: true, removed, remaining, ...(objects ? { objects } : {}) };
  } catch (err) {
    scope.log.warn("erasure_store_unreached", {
      store: store.name,
      error: err instanceof Error ? err.name : "unknown",
    });
    return { store: store.name, reached: false, removed: 0, remaining: -1, error: "unreachable" };
  }
}
