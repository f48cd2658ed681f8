import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";

/**
 * Sign-in throttling that cannot be turned into a denial of service (OWASP ASVS 2.2.1, OWASP
 * Authentication Cheat Sheet "Account lockout"):
 *
 * - per account + client IP pair: 5 failures per 15 minutes. Someone guessing from one address
 *   is stopped there; the owner signing in from another address is not affected.
 * - per client IP (any account): 30 failures per 15 minutes, against credential stuffing.
 * - per account, from all addresses: a ceiling of 100 failures per hour (ASVS 2.2.1's figure).
 *   Reaching it takes a distributed attack, and it throttles only addresses that have not signed
 *   in to this account successfully before (a "known device" cookie-free proxy: the pair key of a
 *   past success), so even then the owner's usual address keeps working.
 *
 * The old single per-account counter (5 failures from anywhere locked the account for 300 s)
 * let anyone lock anyone out with five wrong passwords.
 *
 * Redis unavailable → fail CLOSED (503 from the error handler): without the counters the
 * password would be open to unlimited guessing.
 */
export const PAIR_MAX_FAILURES = 5;
export const PAIR_WINDOW_SECONDS = 900;
export const IP_MAX_FAILURES = 30;
export const IP_WINDOW_SECONDS = 900;
export const ACCOUNT_CEILING = 100;
export const ACCOUNT_WINDOW_SECONDS = 3600;
/** How long a successful sign-in marks its address as known for the account. */
export const KNOWN_SECONDS = 90 * 86_400;

const pairKey = (emailHash: string, ip: string) => `throttle:login:pair:${emailHash}:${ip}`;
const ipKey = (ip: string) => `throttle:login:ip:${ip}`;
const accountKey = (emailHash: string) => `throttle:login:acct:${emailHash}`;
const knownKey = (emailHash: string, ip: string) => `throttle:login:known:${emailHash}:${ip}`;

function ipOf(scope: Scope): string {
  return scope.audit.ip ?? "unknown";
}

/** Refuses with 429 + Retry-After while a counter that applies is at its limit. One round trip. */
export async function assertNotThrottled(scope: Scope, emailHash: string): Promise<void> {
  const ip = ipOf(scope);
  const p = scope.redis().pipeline();
  p.get<number>(pairKey(emailHash, ip));
  p.get<number>(ipKey(ip));
  p.get<number>(accountKey(emailHash));
  p.exists(knownKey(emailHash, ip));
  p.ttl(pairKey(emailHash, ip));
  p.ttl(ipKey(ip));
  p.ttl(accountKey(emailHash));
  const [pair, perIp, acct, known, pairTtl, ipTtl, acctTtl] = (await p.exec()) as [
    number | null,
    number | null,
    number | null,
    number,
    number,
    number,
    number,
  ];
  const blocked: Array<[number, number]> = [];
  if ((pair ?? 0) >= PAIR_MAX_FAILURES) blocked.push([pairTtl, PAIR_WINDOW_SECONDS]);
  if ((perIp ?? 0) >= IP_MAX_FAILURES) blocked.push([ipTtl, IP_WINDOW_SECONDS]);
  if ((acct ?? 0) >= ACCOUNT_CEILING && known === 0) blocked.push([acctTtl, ACCOUNT_WINDOW_SECONDS]);
  if (blocked.length > 0) {
    const retry = Math.max(1, ...blocked.map(([ttl, window]) => (ttl > 0 ? ttl : window)));
    throw new AppError("rate_limited", "Too many failed sign-in attempts. Try again later.", {
      headers: { "retry-after": String(retry) },
    });
  }
}

/** Counts a failure against the pair, the IP and the account (fixed windows from the first failure). */
export async function recordFailure(scope: Scope, emailHash: string): Promise<void> {
  const ip = ipOf(scope);
  const p = scope.redis().pipeline();
  for (const [key, window] of [
    [pairKey(emailHash, ip), PAIR_WINDOW_SECONDS],
    [ipKey(ip), IP_WINDOW_SECONDS],
    [accountKey(emailHash), ACCOUNT_WINDOW_SECONDS],
  ] as const) {
    p.incr(key);
    p.expire(key, window, "NX");
  }
  await p.exec();
}

/**
 * A successful password step clears this pair's counter and remembers the address as known to
 * the account; the account's ceiling and the IP counter keep their windows.
 */
export async function clearFailures(scope: Scope, emailHash: string): Promise<void> {
  const ip = ipOf(scope);
  const p = scope.redis().pipeline();
  p.del(pairKey(emailHash, ip));
  p.set(knownKey(emailHash, ip), 1, { ex: KNOWN_SECONDS });
  await p.exec();
}
