/**
 * Haven's embedded Redis-like store: the default backend of the local Upstash server, so
 * `npm run dev` and tests need no Redis install. It runs every command synchronously, which
 * makes pipelines ordered and MULTI/EXEC atomic for free, applies TTLs lazily plus a
 * periodic sweep, and can persist to a JSON file (debounced, written atomically by rename).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { collectionCommands } from "./memory-collections.ts";
import type { CommandSpec, Entry, TypeMap, ValueType } from "./memory-keyspace.ts";
import { formatDouble, Keyspace, parseFloatArg } from "./memory-keyspace.ts";
import { stringCommands } from "./memory-strings.ts";
import { zsetCommands } from "./memory-zset.ts";
import type { Reply } from "./resp.ts";
import { ReplyError } from "./resp.ts";
import type { Backend } from "./upstash.ts";

const COMMANDS: Record<string, CommandSpec> = { ...stringCommands, ...collectionCommands, ...zsetCommands };
const SAVE_DELAY_MS = 100;
const SWEEP_MS = 1000;
const FORMAT_VERSION = 1;

/** One key as stored in the persistence file (zset scores as Redis text so ±inf survive JSON). */
interface PersistedKey {
  k: string;
  t: ValueType;
  v: string | string[] | [string, string][];
  x: number | null;
}

function toPersisted(key: string, e: Entry): PersistedKey {
  const v = e.value as TypeMap[ValueType];
  let out: PersistedKey["v"];
  if (typeof v === "string") out = v;
  else if (Array.isArray(v)) out = [...v];
  else if (v instanceof Set) out = [...v];
  else if (e.type === "zset")
    out = [...(v as Map<string, number>)].map(([m, s]): [string, string] => [m, formatDouble(s)]);
  else out = [...(v as Map<string, string>)];
  return { k: key, t: e.type, v: out, x: e.expireAt };
}

function fromPersisted(p: PersistedKey): TypeMap[ValueType] {
  const pairs = (): [string, string][] => (Array.isArray(p.v) ? (p.v as [string, string][]) : []);
  switch (p.t) {
    case "string":
      return String(p.v);
    case "list":
      return (p.v as string[]).map(String);
    case "set":
      return new Set((p.v as string[]).map(String));
    case "hash":
      return new Map(pairs());
    case "zset":
      return new Map(pairs().map(([m, s]) => [m, parseFloatArg(s)]));
    default:
      throw new Error("persisted key has an unknown type");
  }
}

/** The embedded backend; create with {@link MemoryStore.open}. */
export class MemoryStore implements Backend {
  readonly kind = "memory" as const;
  #ks = new Keyspace();
  #file: string | undefined;
  #saveTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string | undefined) {
    this.#file = file;
    this.#sweepTimer = setInterval(() => {
      this.#ks.sweep();
      this.#afterWrite();
    }, SWEEP_MS);
    this.#sweepTimer.unref();
  }

  /** Creates a store, loading `persistFile` first if it exists (a corrupt file is an error, not wiped). */
  static async open(persistFile?: string): Promise<MemoryStore> {
    const store = new MemoryStore(persistFile);
    if (persistFile) await store.#load(persistFile);
    return store;
  }

  /** Checks name and arity the way Redis does when queueing, so a bad MULTI aborts as a whole. */
  validate(cmd: readonly string[]): ReplyError | null {
    const name = cmd[0] ?? "";
    const spec = COMMANDS[name.toUpperCase()];
    if (!spec) {
      return new ReplyError(
        `ERR unknown command '${name}' (not supported by Haven's embedded store; set REDIS_URL to use real Redis)`,
      );
    }
    if (spec.arity >= 0 ? cmd.length !== spec.arity : cmd.length < -spec.arity) {
      return new ReplyError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
    }
    return null;
  }

  /** Runs one command synchronously; failures come back as ReplyError values. */
  execute(cmd: readonly string[]): Reply {
    const invalid = this.validate(cmd);
    if (invalid) return invalid;
    const spec = COMMANDS[(cmd[0] ?? "").toUpperCase()];
    try {
      return spec ? spec.run(this.#ks, cmd.slice(1)) : null;
    } catch (err) {
      if (err instanceof ReplyError) return err;
      throw err;
    } finally {
      this.#afterWrite();
    }
  }

  async single(cmd: string[]): Promise<Reply> {
    return this.execute(cmd);
  }

  async pipeline(cmds: string[][]): Promise<Reply[]> {
    return cmds.map((c) => this.execute(c));
  }

  async transaction(cmds: string[][]): Promise<Reply[] | ReplyError> {
    for (const c of cmds) {
      const invalid = this.validate(c);
      if (invalid) {
        return new ReplyError(
          `EXECABORT Transaction discarded because of previous errors: ${invalid.message}`,
        );
      }
    }
    return cmds.map((c) => this.execute(c));
  }

  /** Stops the sweep timer and writes any pending change to the persistence file. */
  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    await this.#saving;
    if (this.#file && this.#ks.dirty) await this.#save();
  }

  #afterWrite(): void {
    if (!this.#file || !this.#ks.dirty || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      this.#saving = this.#saving.then(() => this.#save());
    }, SAVE_DELAY_MS);
  }

  async #save(): Promise<void> {
    const file = this.#file;
    if (!file) return;
    this.#ks.dirty = false;
    const keys = this.#ks.snapshot().map(([k, e]) => toPersisted(k, e));
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify({ version: FORMAT_VERSION, keys }));
      await rename(tmp, file);
    } catch (err) {
      this.#ks.dirty = true;
      console.error(`[upstash] saving the embedded store failed: ${(err as Error).message}`);
    }
  }

  async #load(file: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    const doc = JSON.parse(text) as { version?: number; keys?: PersistedKey[] };
    if (doc.version !== FORMAT_VERSION || !Array.isArray(doc.keys)) {
      throw new Error(`${file} is not a Haven embedded-store snapshot (version ${FORMAT_VERSION})`);
    }
    const now = Date.now();
    for (const p of doc.keys) {
      if (p.x !== null && p.x <= now) continue;
      this.#ks.restore(p.k, p.t, fromPersisted(p), p.x);
    }
    this.#ks.dirty = false;
  }
}
