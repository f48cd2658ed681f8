/**
 * CPU time of processes from /proc (Linux): user + system, in milliseconds. The kernel counts in
 * clock ticks (USER_HZ, 100 on Linux), so a figure has 10 ms resolution per process: the bench
 * divides by thousands of requests, which makes that negligible.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ = 100 on every Linux the bench targets

export interface CpuTimes {
  user: number;
  system: number;
  /** Of children already waited for (how the load generator's CPU is read, see wrk.ts). */
  childUser: number;
  childSystem: number;
}

/** The fields after `(comm)`: state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14]. */
function fields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

export function parseStat(stat: string): CpuTimes {
  const f = fields(stat);
  const n = (i: number) => Number(f[i] ?? 0) * TICK_MS;
  return { user: n(11), system: n(12), childUser: n(13), childSystem: n(14) };
}

/** CPU of one process (all its threads); undefined once it has exited. */
export function cpuOf(pid: number): CpuTimes | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Direct children of `ppid` whose command name is `comm` (e.g. the workerd Miniflare spawned). */
export function childrenNamed(ppid: number, comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (name === comm && Number(fields(stat)[1]) === ppid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Summed CPU (ms) of a set of processes, by pid; exited ones are left out. */
export function snapshot(pids: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const t = cpuOf(pid);
    if (t) out.set(pid, t.user + t.system);
  }
  return out;
}

/**
 * CPU (ms) spent between two snapshots. A pid present only in `after` started during the
 * interval, so all of its CPU counts (Postgres forks a backend per new connection).
 */
export function spent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
