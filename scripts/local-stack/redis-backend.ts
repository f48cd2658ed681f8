/**
 * Real-Redis backend of the local Upstash server (used when REDIS_URL is set): forwards
 * commands over pooled RESP connections, runs /multi-exec as MULTI ... EXEC on one leased
 * connection, and refuses commands that would block, hijack or reconfigure a pooled
 * connection or the shared server, since an HTTP request cannot hold a connection open.
 */

import type { Reply } from "./resp.ts";
import { parseRedisUrl, ReplyError, RespPool } from "./resp.ts";
import type { Backend } from "./upstash.ts";

const BLOCKED = new Set([
  // blocking
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BLMOVE",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
  "WAIT",
  "WAITAOF",
  // connection-hijacking / pub-sub
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
  "SYNC",
  "PSYNC",
  "QUIT",
  "RESET",
  // connection state that would leak into the pool
  "AUTH",
  "HELLO",
  "SELECT",
  "CLIENT",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SWAPDB",
  "MOVE",
  // server administration
  "CONFIG",
  "ACL",
  "SHUTDOWN",
  "DEBUG",
  "REPLICAOF",
  "SLAVEOF",
  "FAILOVER",
  "MODULE",
  "MIGRATE",
  "CLUSTER",
]);

/** Returns why `cmd` may not be forwarded, or null; XREAD/XREADGROUP only when given BLOCK. */
export function blockedReason(cmd: readonly string[]): ReplyError | null {
  const name = (cmd[0] ?? "").toUpperCase();
  const blocking =
    (name === "XREAD" || name === "XREADGROUP") && cmd.some((arg) => arg.toUpperCase() === "BLOCK");
  if (!BLOCKED.has(name) && !blocking) return null;
  return new ReplyError(
    `ERR command '${(cmd[0] ?? "").toLowerCase()}' is not allowed by Haven's local Upstash server ` +
      "(blocking, pub/sub, connection-state and admin commands are disabled)",
  );
}

/**
 * An Upstash database is one Redis database, so FLUSHALL means "empty this database";
 * mapping it to FLUSHDB keeps a shared local Redis' other databases intact.
 */
function rewrite(cmd: string[]): string[] {
  return (cmd[0] ?? "").toUpperCase() === "FLUSHALL" ? ["FLUSHDB", ...cmd.slice(1)] : cmd;
}

/** The real-Redis backend; create with {@link RedisBackend.open}, which fails fast if Redis is unreachable. */
export class RedisBackend implements Backend {
  readonly kind = "redis" as const;
  #pool: RespPool;

  private constructor(pool: RespPool) {
    this.#pool = pool;
  }

  /** Connects and PINGs so a wrong REDIS_URL fails at startup rather than on the first request. */
  static async open(redisUrl: string): Promise<RedisBackend> {
    const pool = new RespPool(parseRedisUrl(redisUrl));
    const pong = await pool.with((c) => c.call(["PING"]));
    if (pong instanceof ReplyError) throw new Error(`Redis refused PING: ${pong.message}`);
    return new RedisBackend(pool);
  }

  async single(cmd: string[]): Promise<Reply> {
    const blocked = blockedReason(cmd);
    if (blocked) return blocked;
    return this.#pool.with((c) => c.call(rewrite(cmd)));
  }

  async pipeline(cmds: string[][]): Promise<Reply[]> {
    const out: Reply[] = cmds.map(blockedReason);
    const send = cmds.map((c, i) => [c, i] as const).filter(([, i]) => out[i] === null);
    const replies = await this.#pool.with((c) => c.batch(send.map(([cmd]) => rewrite(cmd))));
    send.forEach(([, i], j) => {
      out[i] = replies[j] ?? null;
    });
    return out;
  }

  async transaction(cmds: string[][]): Promise<Reply[] | ReplyError> {
    for (const c of cmds) {
      const blocked = blockedReason(c);
      if (blocked)
        return new ReplyError(
          `EXECABORT Transaction discarded because of previous errors: ${blocked.message}`,
        );
    }
    const replies = await this.#pool.with((c) => c.batch([["MULTI"], ...cmds.map(rewrite), ["EXEC"]]));
    const exec = replies[replies.length - 1] ?? null;
    if (exec instanceof ReplyError) {
      const queueError = replies.slice(1, -1).find((r) => r instanceof ReplyError);
      return queueError instanceof ReplyError
        ? new ReplyError(`${exec.message.replace(/\.$/, "")}: ${queueError.message}`)
        : exec;
    }
    if (!Array.isArray(exec)) return new ReplyError("ERR transaction aborted");
    return exec;
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
