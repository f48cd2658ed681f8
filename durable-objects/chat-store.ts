import type { UserCipher } from "../workers/lib/user-cipher";
import { alertKey, type RoomEvent } from "./chat-protocol";

/** Field names binding the room's ciphertext to its purpose (AAD); the event's seq is part of it. */
const EVENT_FIELD = (seq: number) => `chat.room_event:${seq}`;
const SUMMARY_FIELD = "chat.summary";
const SEALED = "enc:";
/** Flushed events kept for replay beyond today's (which the daily quota counts). */
export const REPLAY_WINDOW = 200;

type NewEvent = RoomEvent extends infer E ? (E extends RoomEvent ? Omit<E, "seq" | "at"> : never) : never;

interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  body: string;
  at: number;
  sealed: number;
}

/** The owner's cipher, or null when it cannot be had now (database unreachable, key shredded). */
export type CipherSource = () => Promise<UserCipher | null>;

/**
 * The room's durable event log in Durable Object SQLite. Every event gets its `seq` here, before
 * it is sent to anyone, so replay after a reconnect (or an eviction) is exact. Bodies are sealed
 * (encrypted with the owner's data key) before they are written, so crypto-shredding the key
 * reaches this copy too; a body written while the key was unavailable is sealed by
 * {@link ChatStore.seal} when the room flushes. Flushed events beyond the replay window are pruned. The queries the room runs on every message use plain columns
 * (type, author, client id, about), never the body.
 */
export class ChatStore {
  /** The last append queued: appends run one at a time. */
  private appending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlStorage,
    private readonly cipher: CipherSource,
  ) {
    sql.exec(`create table if not exists events (
      seq integer primary key autoincrement,
      type text not null,
      author text,
      body text not null,
      at integer not null,
      flushed integer not null default 0
    )`);
    const columns = new Set(
      sql
        .exec<{ name: string }>("select name from pragma_table_info('events')")
        .toArray()
        .map((c) => c.name),
    );
    if (!columns.has("client_id")) sql.exec("alter table events add column client_id text");
    if (!columns.has("about")) sql.exec("alter table events add column about integer");
    if (!columns.has("sealed")) sql.exec("alter table events add column sealed integer not null default 0");
    sql.exec("create index if not exists events_unflushed on events (flushed, seq)");
    sql.exec("create index if not exists events_client on events (type, client_id)");
    sql.exec("create table if not exists meta (key text primary key, value text not null)");
  }

  /**
   * Stores an event and returns it with its server-assigned seq. The body is sealed with the owner's
   * key before it is written; only when the key cannot be had at all (a new room while Postgres is
   * down, a shredded key) is it written in plaintext, for {@link ChatStore.seal} to seal at the next
   * flush. Appends run one at a time, so seqs are assigned and returned in order.
   */
  append(event: NewEvent, author: string | null = null): Promise<RoomEvent> {
    return this.appendUnless(event, author, () => null).then((r) => r.event as RoomEvent);
  }

  /**
   * Like {@link ChatStore.append}, unless `existing` (checked in the same turn as the write) names
   * a seq already stored: then nothing is written and that seq is returned.
   */
  appendUnless(
    event: NewEvent,
    author: string | null,
    existing: () => number | null,
  ): Promise<{ event: RoomEvent; existing?: never } | { event?: never; existing: number }> {
    const next = this.appending.then(async () => {
      const found = existing();
      if (found !== null) return { existing: found };
      return { event: await this.write(event, author) };
    });
    this.appending = next.catch(() => undefined);
    return next;
  }

  private async write(event: NewEvent, author: string | null): Promise<RoomEvent> {
    const at = Date.now();
    const clientId =
      event.type === "message" ? event.clientId : event.type === "crisis_alert" ? alertKey(event) : null;
    const about = event.type === "crisis" ? event.about : null;
    const cipher = await this.cipher().catch(() => null);
    const seq = this.nextSeq();
    const plain = JSON.stringify(event);
    const body = cipher ? await cipher.encrypt(EVENT_FIELD(seq), plain) : plain;
    this.sql.exec(
      "insert into events (seq, type, author, body, at, client_id, about, sealed) values (?, ?, ?, ?, ?, ?, ?, ?)",
      seq,
      event.type,
      author,
      body,
      at,
      clientId,
      about,
      cipher ? 1 : 0,
    );
    return { ...event, seq, at } as RoomEvent;
  }

  /** The next seq: above every seq ever used (deleted rows' seqs are never reused). */
  private nextSeq(): number {
    const used = this.sql
      .exec<{ seq: number | null }>("select seq from sqlite_sequence where name = 'events'")
      .toArray()[0]?.seq;
    return Math.max(used ?? 0, this.lastSeq()) + 1;
  }

  /** Events with seq greater than `after`, in order (sealed ones the owner's key cannot open are left out). */
  async since(after: number, limit = 1000): Promise<RoomEvent[]> {
    return this.open(
      this.sql
        .exec<EventRow>(
          "select seq, body, at, sealed from events where seq > ? order by seq limit ?",
          after,
          limit,
        )
        .toArray(),
    );
  }

  /** The highest seq of the next page after `after` (so a replay can step over unreadable rows). */
  pageEnd(after: number, limit = 1000): number | null {
    const rows = this.sql
      .exec<{ seq: number }>("select seq from events where seq > ? order by seq limit ?", after, limit)
      .toArray();
    return rows.at(-1)?.seq ?? null;
  }

  /** The last `n` events of the given types, oldest first. */
  async recent(types: RoomEvent["type"][], n: number): Promise<RoomEvent[]> {
    const marks = types.map(() => "?").join(",");
    const rows = this.sql
      .exec<EventRow>(
        `select seq, body, at, sealed from events where type in (${marks}) order by seq desc limit ?`,
        ...types,
        n,
      )
      .toArray();
    return (await this.open(rows)).reverse();
  }

  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>("select max(seq) as seq from events").one().seq ?? 0;
  }

  /** Messages `author` sent since `sinceMs` (quota and burst limits). */
  countMessages(author: string, sinceMs: number): number {
    return this.sql
      .exec<{ n: number }>(
        "select count(*) as n from events where type = 'message' and author = ? and at >= ?",
        author,
        sinceMs,
      )
      .one().n;
  }

  /** The seq of an earlier message with this client id, so a retried send is not stored twice. */
  findByClientId(author: string, clientId: string): number | null {
    const row = this.sql
      .exec<{ seq: number }>(
        `select seq from events where type = 'message' and author = ? and (client_id = ?
          or (client_id is null and sealed = 0 and json_extract(body, '$.clientId') = ?)) limit 1`,
        author,
        clientId,
        clientId,
      )
      .toArray()[0];
    return row?.seq ?? null;
  }

  /** The seq of a crisis alert already received (a retried push is not stored twice). */
  findAlert(alertId: string): number | null {
    const row = this.sql
      .exec<{ seq: number }>(
        "select seq from events where type = 'crisis_alert' and client_id = ? limit 1",
        alertId,
      )
      .toArray()[0];
    return row?.seq ?? null;
  }

  async unflushed(limit = 200): Promise<RoomEvent[]> {
    return this.open(this.unflushedRows(limit));
  }

  hasUnflushed(): boolean {
    return this.unflushedRows(1).length > 0;
  }

  private unflushedRows(limit: number): EventRow[] {
    return this.sql
      .exec<EventRow>(
        "select seq, body, at, sealed from events where flushed = 0 order by seq limit ?",
        limit,
      )
      .toArray();
  }

  /** The highest unflushed seq of the first `limit` (so a batch can be marked even if unreadable). */
  unflushedEnd(limit = 200): number {
    // Seqs only (the index covers them): the bodies are read once, by unflushed().
    const row = this.sql
      .exec<{ end: number | null }>(
        "select max(seq) as end from (select seq from events where flushed = 0 order by seq limit ?)",
        limit,
      )
      .toArray()[0];
    return row?.end ?? 0;
  }

  markFlushed(throughSeq: number): void {
    this.sql.exec("update events set flushed = 1 where flushed = 0 and seq <= ?", throughSeq);
  }

  /** Encrypts every plaintext body with the owner's data key. */
  async seal(cipher: UserCipher): Promise<number> {
    const rows = this.sql
      .exec<{ seq: number; body: string }>("select seq, body from events where sealed = 0")
      .toArray();
    for (const r of rows) {
      const body = await cipher.encrypt(EVENT_FIELD(r.seq), r.body);
      this.sql.exec("update events set body = ?, sealed = 1 where seq = ? and sealed = 0", body, r.seq);
    }
    const summary = this.getMeta("summary");
    if (summary !== null && !summary.startsWith(SEALED)) await this.setSummary(cipher, summary);
    return rows.length;
  }

  /** The owner's key is gone (crypto-shredded): nothing readable may stay, so plaintext is deleted. */
  dropPlaintext(): void {
    this.sql.exec("delete from events where sealed = 0 and flushed = 1");
    const summary = this.getMeta("summary");
    if (summary !== null && !summary.startsWith(SEALED))
      this.sql.exec("delete from meta where key = 'summary'");
  }

  /**
   * Deletes flushed events older than the replay window and older than today (the daily quota
   * counts today's messages). Older history is read from Postgres (`/v1/chat/history`).
   */
  prune(startOfToday: number): number {
    return this.sql.exec(
      "delete from events where flushed = 1 and at < ? and seq <= (select max(seq) from events) - ?",
      startOfToday,
      REPLAY_WINDOW,
    ).rowsWritten;
  }

  /** The rolling summary, decrypted (null when there is none or the key is unavailable). */
  async summary(): Promise<string | null> {
    const stored = this.getMeta("summary");
    if (stored === null || !stored.startsWith(SEALED)) return stored;
    const cipher = await this.cipher().catch(() => null);
    if (!cipher) return null;
    return cipher.decrypt(SUMMARY_FIELD, stored.slice(SEALED.length)).catch(() => null);
  }

  async setSummary(cipher: UserCipher, summary: string): Promise<void> {
    this.setMeta("summary", SEALED + (await cipher.encrypt(SUMMARY_FIELD, summary)));
  }

  /** Seqs of messages that triggered the crisis detector (for the care team's ±3 window). */
  crisisSeqs(): number[] {
    return this.sql
      .exec<{ about: number }>(
        `select coalesce(about, case when sealed = 0 then json_extract(body, '$.about') end) as about
          from events where type = 'crisis'`,
      )
      .toArray()
      .map((r) => r.about);
  }

  /** Seqs of conversational events (messages and replies), in order. */
  turnSeqs(): number[] {
    return this.sql
      .exec<{ seq: number }>("select seq from events where type in ('message', 'assistant') order by seq")
      .toArray()
      .map((r) => r.seq);
  }

  getMeta(key: string): string | null {
    return (
      this.sql.exec<{ value: string }>("select value from meta where key = ?", key).toArray()[0]?.value ??
      null
    );
  }

  deleteMeta(key: string): void {
    this.sql.exec("delete from meta where key = ?", key);
  }

  setMeta(key: string, value: string): void {
    this.sql.exec(
      "insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
      key,
      value,
    );
  }

  /** Bodies to events; sealed ones are decrypted with the owner's key, or left out without it. */
  private async open(rows: EventRow[]): Promise<RoomEvent[]> {
    const cipher = rows.some((r) => r.sealed === 1) ? await this.cipher().catch(() => null) : null;
    const out: RoomEvent[] = [];
    for (const row of rows) {
      const body =
        row.sealed === 1
          ? await (cipher?.decrypt(EVENT_FIELD(row.seq), row.body) ?? Promise.resolve(null)).catch(() => null)
          : row.body;
      if (body !== null) out.push(toEvent(row.seq, row.at, body));
    }
    return out;
  }
}

function toEvent(seq: number, at: number, body: string): RoomEvent {
  return { ...(JSON.parse(body) as Omit<RoomEvent, "seq" | "at">), seq, at } as RoomEvent;
}

/**
 * Seqs a clinician may see when the patient has not turned on full sharing: each crisis message
 * and the three conversational events either side of it.
 */
export function crisisWindow(turns: number[], crisisSeqs: number[], radius = 3): Set<number> {
  const visible = new Set<number>();
  for (const c of crisisSeqs) {
    const i = turns.indexOf(c);
    if (i < 0) continue;
    for (let j = Math.max(0, i - radius); j <= Math.min(turns.length - 1, i + radius); j++)
      visible.add(turns[j] as number);
  }
  return visible;
}
