import type { RoomEvent } from "./chat-protocol";

type NewEvent = RoomEvent extends infer E ? (E extends RoomEvent ? Omit<E, "seq" | "at"> : never) : never;

interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  body: string;
  at: number;
}

/**
 * The room's durable event log in Durable Object SQLite. Every event gets its `seq` here, before
 * it is sent to anyone, so replay after a reconnect (or an eviction) is exact.
 */
export class ChatStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`create table if not exists events (
      seq integer primary key autoincrement,
      type text not null,
      author text,
      body text not null,
      at integer not null,
      flushed integer not null default 0
    )`);
    sql.exec("create index if not exists events_unflushed on events (flushed, seq)");
    sql.exec("create table if not exists meta (key text primary key, value text not null)");
  }

  /** Stores an event and returns it with its server-assigned seq. */
  append(event: NewEvent, author: string | null = null): RoomEvent {
    const at = Date.now();
    const { seq } = this.sql
      .exec<{ seq: number }>(
        "insert into events (type, author, body, at) values (?, ?, ?, ?) returning seq",
        event.type,
        author,
        JSON.stringify(event),
        at,
      )
      .one();
    return { ...event, seq, at } as RoomEvent;
  }

  /** Events with seq greater than `after`, in order. */
  since(after: number, limit = 1000): RoomEvent[] {
    return this.sql
      .exec<EventRow>("select seq, body, at from events where seq > ? order by seq limit ?", after, limit)
      .toArray()
      .map(toEvent);
  }

  /** The last `n` events of the given types, oldest first. */
  recent(types: RoomEvent["type"][], n: number): RoomEvent[] {
    const marks = types.map(() => "?").join(",");
    return this.sql
      .exec<EventRow>(
        `select seq, body, at from events where type in (${marks}) order by seq desc limit ?`,
        ...types,
        n,
      )
      .toArray()
      .map(toEvent)
      .reverse();
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
        "select seq from events where type = 'message' and author = ? and json_extract(body, '$.clientId') = ? limit 1",
        author,
        clientId,
      )
      .toArray()[0];
    return row?.seq ?? null;
  }

  unflushed(limit = 200): RoomEvent[] {
    return this.sql
      .exec<EventRow>("select seq, body, at from events where flushed = 0 order by seq limit ?", limit)
      .toArray()
      .map(toEvent);
  }

  markFlushed(throughSeq: number): void {
    this.sql.exec("update events set flushed = 1 where flushed = 0 and seq <= ?", throughSeq);
  }

  /** Seqs of messages that triggered the crisis detector (for the care team's ±3 window). */
  crisisSeqs(): number[] {
    return this.sql
      .exec<{ about: number }>(
        "select json_extract(body, '$.about') as about from events where type = 'crisis'",
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

  setMeta(key: string, value: string): void {
    this.sql.exec(
      "insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
      key,
      value,
    );
  }
}

function toEvent(row: EventRow): RoomEvent {
  return {
    ...(JSON.parse(row.body) as Omit<RoomEvent, "seq" | "at">),
    seq: row.seq,
    at: row.at,
  } as RoomEvent;
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
