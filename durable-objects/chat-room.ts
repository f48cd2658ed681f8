import { DurableObject } from "cloudflare:workers";
import { z } from "zod";

const NoteInput = z.object({ kind: z.enum(["system", "user", "assistant"]), size: z.number().int().min(0) });

/**
 * One private chat room per user (see the chat feature). SQLite-backed: events are durable in
 * `ctx.storage` before they are acknowledged. This first version keeps a sequenced event log that
 * later features (WebSocket hibernation, replay, model memory) build on.
 */
export class ChatRoom extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(
        `create table if not exists events (
           seq integer primary key autoincrement,
           kind text not null,
           size integer not null,
           created_at integer not null
         )`,
      );
    });
  }

  /**
   * Appends an event and returns its server-assigned sequence number (strictly increasing, never
   * reused). Input is validated: RPC is an edge like any other, and a bad call gets a typed
   * result rather than an exception thrown across the RPC boundary.
   */
  async appendEvent(
    input: unknown,
  ): Promise<{ ok: true; seq: number } | { ok: false; error: "invalid_input" }> {
    const parsed = NoteInput.safeParse(input);
    if (!parsed.success) return { ok: false, error: "invalid_input" };
    const { kind, size } = parsed.data;
    const row = this.ctx.storage.sql
      .exec<{ seq: number }>(
        "insert into events (kind, size, created_at) values (?, ?, ?) returning seq",
        kind,
        size,
        Date.now(),
      )
      .one();
    return { ok: true, seq: row.seq };
  }

  /** The highest sequence number so far (0 for a new room). */
  async lastSeq(): Promise<number> {
    const row = this.ctx.storage.sql.exec<{ seq: number | null }>("select max(seq) as seq from events").one();
    return row.seq ?? 0;
  }
}
