/**
 * The soak's view inside workerd: the V8 heap of the Worker's isolate (the isolate that also runs
 * its Durable Objects) through the inspector workerd opens under `wrangler dev`, and the bytes the
 * Durable Objects hold on disk. RSS alone cannot tell a JavaScript leak from native memory (SQLite
 * page caches, socket buffers); the heap retained after a forced GC can.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";

/** TCP ports a process listens on on 127.0.0.1, from /proc (no `ss` needed). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m?.[1]) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    // local_address is col 1 (hex ip:port), st is col 3 (0A = LISTEN), inode is col 9.
    if (cols[3] === "0A" && cols[9] && inodes.has(cols[9]))
      ports.push(Number.parseInt(cols[1]?.split(":")[1] ?? "0", 16));
  }
  return ports;
}

/** The inspector's WebSocket URL for the user Worker's isolate in workerd process `pid`. */
export async function findInspector(pid: number): Promise<string | undefined> {
  for (const port of listeningPorts(pid)) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) });
      if (!res.ok) continue;
      const list = (await res.json()) as Array<{ id?: string; webSocketDebuggerUrl?: string }>;
      const target = Array.isArray(list) ? list.find((t) => t.id?.startsWith("core:user:")) : undefined;
      if (target?.webSocketDebuggerUrl) return target.webSocketDebuggerUrl;
    } catch {
      // not an inspector
    }
  }
  return undefined;
}

/** What `Runtime.getHeapUsage` reports, in bytes. */
export interface HeapUsage {
  /** JavaScript objects still reachable (after the forced GC: what JavaScript holds). */
  usedSize: number;
  /** Heap the isolate has reserved from the allocator, used or not. */
  totalSize: number;
  /** ArrayBuffer backing stores and other memory held outside the JS heap for JS objects. */
  backingStorageSize?: number;
  /** Heap of the embedder (workerd's C++ objects traced by V8's cppgc). */
  embedderHeapUsedSize?: number;
}

/**
 * V8 heap usage after a forced full GC, through a fresh inspector session each time: wrangler
 * keeps its own session to the same isolate, and a session held open across samples was seen to
 * stop answering.
 */
export async function retainedHeap(url: string): Promise<HeapUsage | undefined> {
  const ws = new WebSocket(url);
  try {
    const ok = await new Promise<boolean>((resolve) => {
      ws.once("open", () => resolve(true));
      ws.once("error", () => resolve(false));
    });
    if (!ok) return undefined;
    let nextId = 0;
    const pending = new Map<number, (result: unknown) => void>();
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (msg.id === undefined) return;
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    });
    const call = (method: string) =>
      new Promise<unknown>((resolve) => {
        const id = ++nextId;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method }));
        setTimeout(() => resolve(undefined), 20_000).unref();
      });
    await call("HeapProfiler.collectGarbage");
    const usage = (await call("Runtime.getHeapUsage")) as Partial<HeapUsage> | undefined;
    if (usage?.usedSize === undefined || usage.totalSize === undefined) return undefined;
    return { ...usage, usedSize: usage.usedSize, totalSize: usage.totalSize };
  } finally {
    ws.close();
  }
}

/** Bytes under `dir` (the Durable Objects' SQLite files under wrangler's persist folder). */
export function bytesUnder(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(d, name);
      try {
        const s = statSync(p);
        if (s.isDirectory()) walk(p);
        else {
          bytes += s.size;
          if (name.endsWith(".sqlite")) files++;
        }
      } catch {
        // removed meanwhile
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

/**
 * Resident memory of a process by what backs it, from /proc/PID/smaps (kB): the brk heap,
 * anonymous mappings (tcmalloc's spans and V8's pages are mmap'd anonymously), the Durable
 * Objects' SQLite files and their write-ahead logs and shared-memory indexes, other files.
 */
export function residentByMapping(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let kind = "anon";
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+\s+\S+\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1] ?? "";
      kind =
        path === ""
          ? "anon"
          : path === "[heap]"
            ? "brk heap"
            : path.startsWith("[")
              ? "other"
              : path.endsWith("-shm")
                ? "sqlite -shm"
                : path.endsWith("-wal")
                  ? "sqlite -wal"
                  : path.endsWith(".sqlite")
                    ? "sqlite db"
                    : path.includes("(deleted)")
                      ? "deleted file"
                      : "file";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]);
  }
  return out;
}
