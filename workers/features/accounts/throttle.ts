import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";

/** 5 failed logins per 300 s, counted per account and per client IP. */
export const MAX_FAILURES = 5;
export const WINDOW_SECONDS = 300;

const accountKey = (emailHash: string) => `throttle:login:acct:${emailHash}`;
const ipKey = (ip: string) => `throttle:login:ip:${ip}`;

function ipOf(scope: Scope): string {
  return scope.audit.ip ?? "unknown";
}

/** Refuses with 429 + Retry-After while either counter is at the limit. One Redis round trip. */
export async function assertNotThrottled(scope: Scope, emailHash: string): Promise<void> {
  const p = scope.redis().pipeline();
  p.get<number>(accountKey(emailHash));
  p.get<number>(ipKey(ipOf(scope)));
  p.ttl(accountKey(emailHash));
  p.ttl(ipKey(ipOf(scope)));
  const [acct, ip, acctTtl, ipTtl] = (await p.exec()) as [number | null, number | null, number, number];
  const blocked = [
    [acct, acctTtl],
    [ip, ipTtl],
  ].filter(([n]) => (n ?? 0) >= MAX_FAILURES);
  if (blocked.length > 0) {
    const retry = Math.max(1, ...blocked.map(([, ttl]) => (ttl && ttl > 0 ? ttl : WINDOW_SECONDS)));
    throw new AppError("rate_limited", "Too many failed sign-in attempts. Try again later.", {
      headers: { "retry-after": String(retry) },
    });
  }
}

/** Counts a failure against the account and the IP (fixed window from the first failure). */
export async function recordFailure(scope: Scope, emailHash: string): Promise<void> {
  const p = scope.redis().pipeline();
  for (const key of [accountKey(emailHash), ipKey(ipOf(scope))]) {
    p.incr(key);
    p.expire(key, WINDOW_SECONDS, "NX");
  }
  await p.exec();
}

/** A successful login clears the account counter (the IP counter keeps its window). */
export async function clearFailures(scope: Scope, emailHash: string): Promise<void> {
  await scope.redis().del(accountKey(emailHash));
}
