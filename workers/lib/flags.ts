/**
 * Feature flags for gradual rollout: per environment, per role, and a percentage of users chosen
 * by a stable hash of (flag, user id), so a person stays in or out as the percentage grows.
 * Rules live in Redis (one hash), are read per isolate with a short cache and changed without a
 * deploy through the admin API (every change audited). If Redis cannot be read, the last rules
 * this isolate saw are used, else each flag's coded default.
 *
 * Safety rule: the edge safety net's layers 1 and 2 (rules, lexicons, classifier) and the crisis
 * response are never behind a flag. Only additions roll out this way (e.g. layer 3, the model
 * check, which can only raise risk).
 */
import { z } from "zod";
import type { Scope } from "./scope";
import { ROLES, type Role } from "./vocabulary";

export const ENVIRONMENTS = ["local", "staging", "production"] as const;

export const FlagRule = z
  .object({
    enabled: z.boolean(),
    environments: z.array(z.enum(ENVIRONMENTS)).max(3).default([]),
    roles: z.array(z.enum(ROLES)).max(ROLES.length).default([]),
    percentage: z.number().int().min(0).max(100).default(100),
  })
  .strict();
export type FlagRule = z.infer<typeof FlagRule>;

export const FLAGS = {
  "safety.model_check": {
    description:
      "Layer 3 of the safety net: the model classifier beside each companion reply (also needs SAFETY_MODEL_CHECK). Only raises risk.",
    default: { enabled: true, environments: [], roles: [], percentage: 100 },
  },
  "companion.grounded": {
    description: "Companion replies grounded in Haven's psychoeducation library, with citations.",
    default: { enabled: false, environments: ["local"], roles: [], percentage: 100 },
  },
  "ops.view": {
    description: "The live ops view in the admin console.",
    default: { enabled: true, environments: [], roles: ["admin"], percentage: 100 },
  },
} as const satisfies Record<string, { description: string; default: FlagRule }>;

export type FlagKey = keyof typeof FLAGS;
export const FLAG_KEYS = Object.keys(FLAGS) as FlagKey[];
export const FlagKeySchema = z.enum(FLAG_KEYS as [FlagKey, ...FlagKey[]]);

export const FLAGS_REDIS_KEY = "flags:v1";
export const FLAG_CACHE_MS = 30_000;

let cache: { at: number; rules: Partial<Record<FlagKey, FlagRule>> } | null = null;

/** 0–99, stable for (flag, user): FNV-1a over UTF-16 code units. */
export function rolloutBucket(flag: string, userId: string): number {
  let h = 0x811c9dc5;
  const s = `${flag}:${userId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

export interface FlagSubject {
  environment: string;
  role?: Role | null;
  userId?: string | null;
}

/** Whether a rule admits a subject (pure: used by the API's preview and the tests). */
export function ruleAdmits(flag: string, rule: FlagRule, who: FlagSubject): boolean {
  if (!rule.enabled) return false;
  if (
    rule.environments.length > 0 &&
    !rule.environments.includes(who.environment as (typeof ENVIRONMENTS)[number])
  )
    return false;
  if (rule.roles.length > 0 && (!who.role || !rule.roles.includes(who.role))) return false;
  if (rule.percentage >= 100) return true;
  if (rule.percentage <= 0 || !who.userId) return false;
  return rolloutBucket(flag, who.userId) < rule.percentage;
}

/** Current rules (cached per isolate); never throws. */
export async function flagRules(scope: Scope, now = Date.now()): Promise<Record<FlagKey, FlagRule>> {
  if (!cache || now - cache.at > FLAG_CACHE_MS) {
    try {
      const raw = (await scope.redis().hgetall<Record<string, unknown>>(FLAGS_REDIS_KEY)) ?? {};
      const rules: Partial<Record<FlagKey, FlagRule>> = {};
      for (const key of FLAG_KEYS) {
        const value = raw[key];
        const parsed = FlagRule.safeParse(typeof value === "string" ? safeJson(value) : value);
        if (parsed.success) rules[key] = parsed.data;
      }
      cache = { at: now, rules };
    } catch {
      scope.log.warn("flags_unavailable", { dependency: "redis" });
      cache = { at: now - FLAG_CACHE_MS + 5_000, rules: cache?.rules ?? {} }; // retry in 5 s
    }
  }
  const out = {} as Record<FlagKey, FlagRule>;
  for (const key of FLAG_KEYS) out[key] = cache.rules[key] ?? FlagRule.parse(FLAGS[key].default);
  return out;
}

export async function isEnabled(
  scope: Scope,
  flag: FlagKey,
  who: Omit<FlagSubject, "environment">,
): Promise<boolean> {
  const rules = await flagRules(scope);
  return ruleAdmits(flag, rules[flag], { environment: scope.config.ENVIRONMENT, ...who });
}

/** Stores a rule and clears this isolate's cache (other isolates pick it up within FLAG_CACHE_MS). */
export async function writeFlagRule(scope: Scope, flag: FlagKey, rule: FlagRule): Promise<void> {
  await scope.redis().hset(FLAGS_REDIS_KEY, { [flag]: JSON.stringify(rule) });
  cache = null;
}

/** Test seam: forget the cached rules. */
export function resetFlagCache(): void {
  cache = null;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
