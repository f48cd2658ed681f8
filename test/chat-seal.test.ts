import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../durable-objects/chat-room";
import { users } from "../workers/db/schema";
import { parseMasterKeys, rewrapDataKey } from "../workers/lib/crypto/envelope";
import { createDatabase } from "../workers/lib/db";
import { type ChatClient, connect, type Frame, say } from "./chat-helpers";
import { createUser, type TestUser, testConfig } from "./fixtures";

const CLOSED = "127.0.0.1:1";
const DB_DOWN = { DATABASE_URL_US: `postgres://postgres:local@${CLOSED}/down` };

const roomOf = (user: TestUser) => env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(user.id));

/** Replaces the bindings the patient's live room sees (fault injection: a dependency down). */
async function roomEnv(user: TestUser, bindings: Env): Promise<void> {
  await runInDurableObject(roomOf(user), (room: ChatRoom) => {
    (room as unknown as { env: Env }).env = bindings;
  });
}

/** Sends a message and waits for its ack only (no flush can have run yet). */
async function ack(client: ChatClient, text: string): Promise<Frame> {
  const clientId = crypto.randomUUID();
  const from = client.frames.length;
  client.send({ type: "message", text, clientId });
  return client.waitFor((f) => f.type === "ack" && f.clientId === clientId, 20_000, from);
}

/** The room's raw SQLite: event rows and meta. */
function raw(user: TestUser) {
  return runInDurableObject(roomOf(user), (_room, state) => ({
    events: state.storage.sql
      .exec("select seq, type, body, sealed, flushed from events order by seq")
      .toArray(),
    meta: Object.fromEntries(
      state.storage.sql
        .exec<{ key: string; value: string }>("select key, value from meta")
        .toArray()
        .map((r) => [r.key, r.value]),
    ),
  }));
}

async function wrappedKey(user: TestUser): Promise<string | null> {
  const [row] = await createDatabase(testConfig(), "us")
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, user.id));
  return row?.wrapped ?? null;
}

describe("the room seals chat bodies before they are written", () => {
  it("no plaintext in SQLite right after the ack, before any flush; the wrapped key is kept", async () => {
    const patient = await createUser("patient", "us");
    const client = await connect(patient);
    const sent = await ack(client, "gooseberry is my secret word");
    const rows = await raw(patient);
    const message = rows.events.find((r) => r.seq === sent.seq);
    expect(message).toMatchObject({ type: "message", sealed: 1, flushed: 0 });
    expect(String(message?.body)).toMatch(/^enc:v1:/);
    expect(rows.events.every((r) => r.sealed === 1)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain("gooseberry");
    expect(rows.meta.data_key_wrapped).toBe(await wrappedKey(patient));
    // Sealed rows still read back: a fresh connection replays the message.
    const reader = await connect(patient);
    await reader.waitFor((f) => f.type === "message" && f.text === "gooseberry is my secret word");
    reader.close();
    client.close();
  });

  it("with Postgres unreachable, a room that had loaded its key still seals (and reads) after an eviction", async () => {
    const patient = await createUser("patient", "us");
    const client = await connect(patient);
    await say(client, "first, while Postgres is up");
    await evictDurableObject(roomOf(patient)); // nothing in memory: only the wrapped key in SQLite
    await roomEnv(patient, { ...env, ...DB_DOWN } as Env);
    const sent = await ack(client, "quince is my secret word");
    const rows = await raw(patient);
    const message = rows.events.find((r) => r.seq === sent.seq);
    expect(message).toMatchObject({ type: "message", sealed: 1, flushed: 0 });
    expect(rows.events.every((r) => r.sealed === 1 && String(r.body).startsWith("enc:v1:"))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain("quince");
    const reader = await connect(patient);
    await reader.waitFor((f) => f.type === "message" && f.text === "quince is my secret word");
    reader.close();
    client.close();
  });

  it("a brand-new room while Postgres is down writes plaintext only then, and seals it at the first flush", async () => {
    const patient = await createUser("patient", "us");
    const client = await connect(patient);
    // Bind the room with Postgres down before it ever loaded the key.
    await evictDurableObject(roomOf(patient));
    await roomEnv(patient, { ...env, ...DB_DOWN } as Env);
    const sent = await ack(client, "loquat is my secret word");
    expect((await raw(patient)).events.find((r) => r.seq === sent.seq)).toMatchObject({ sealed: 0 });
    await evictDurableObject(roomOf(patient)); // Postgres is back (the injected bindings are gone)
    const ref = { ownerId: patient.id, region: "us" as const };
    expect((await roomOf(patient).flushNow(ref)).ok).toBe(true);
    const rows = await raw(patient);
    expect(rows.events.every((r) => r.sealed === 1)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain("loquat");
    client.close();
  });

  it("a key re-wrapped by master-key rotation replaces the kept copy at the next flush", async () => {
    const patient = await createUser("patient", "us");
    const client = await connect(patient);
    await say(client, "before rotation");
    const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const rotated = `v9:${newKey},${env.MASTER_KEYS}`;
    const rewrapped = await rewrapDataKey(parseMasterKeys(rotated), (await wrappedKey(patient)) ?? "");
    expect(rewrapped.startsWith("mk-v9:")).toBe(true);
    await createDatabase(testConfig(), "us")
      .update(users)
      .set({ dataKeyWrapped: rewrapped })
      .where(eq(users.id, patient.id));
    await roomEnv(patient, { ...env, MASTER_KEYS: rotated } as Env);
    expect((await roomOf(patient).flushNow({ ownerId: patient.id, region: "us" })).ok).toBe(true);
    expect((await raw(patient)).meta.data_key_wrapped).toBe(rewrapped);
    // The old master key retired and Postgres down: the kept (re-wrapped) key still works.
    await evictDurableObject(roomOf(patient));
    await roomEnv(patient, { ...env, ...DB_DOWN, MASTER_KEYS: `v9:${newKey}` } as Env);
    await ack(client, "persimmon after rotation");
    const rows = await raw(patient);
    expect(rows.events.every((r) => r.sealed === 1)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain("persimmon");
    client.close();
  });

  it("shredding the user's key drops the room's copy at the next flush: unreadable even with Postgres down", async () => {
    const patient = await createUser("patient", "us");
    const client = await connect(patient);
    await say(client, "tamarind is my secret word");
    client.close();
    const ref = { ownerId: patient.id, region: "us" as const };
    expect((await roomOf(patient).flushNow(ref)).ok).toBe(true);
    expect((await raw(patient)).meta.data_key_wrapped).toBe(await wrappedKey(patient));

    await createDatabase(testConfig(), "us")
      .update(users)
      .set({ dataKeyWrapped: null })
      .where(eq(users.id, patient.id));
    await roomOf(patient).flushNow(ref); // the room is still active, its key in memory
    const rows = await raw(patient);
    expect(rows.meta.data_key_wrapped).toBeUndefined();
    expect(rows.events.length).toBeGreaterThan(0);
    expect(rows.events.every((r) => r.sealed === 1)).toBe(true);

    await evictDurableObject(roomOf(patient));
    await roomEnv(patient, { ...env, ...DB_DOWN } as Env);
    const after = await connect(patient);
    await new Promise((r) => setTimeout(r, 500));
    expect(after.frames.filter((f) => f.type === "message" || f.type === "assistant")).toEqual([]);
    after.close();
  });
});
