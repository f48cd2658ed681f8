import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { addToCareTeam } from "./chat-helpers";
import { createUser, type TestUser } from "./fixtures";
import { call } from "./helpers";

/**
 * Property-based requests generated from /openapi.json for every operation and every role:
 * path parameters, query strings and JSON bodies follow each operation's schema most of the time
 * and are hostile the rest (upper-case and malformed ids, numbers past int4 and float range,
 * control characters, long strings, wrong types, extra fields). The property: no 5xx, ever —
 * and a response that is not 2xx is problem+json. A failure prints the request (fast-check
 * shrinks it first).
 *
 * CI: fixed seed, a few runs per operation × role. On demand: `npm run test:fuzz` (HAVEN_FUZZ_RUNS,
 * HAVEN_FUZZ_SEED) for a longer run.
 */

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  default?: unknown;
};
type Parameter = {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  schema?: Schema;
  required?: boolean;
};
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** Operations the fuzzer leaves alone: process-wide effects that are tested on their own. */
const SKIP = new Set(["post /v1/admin/keys/rotate"]);

const RUNS = Number(inject("fuzzRuns") || 0) || 10;
const SEED = Number(inject("fuzzSeed") || 0) || 15;

const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u001b[31m",
  "\u0085",
  "\ud800",
  "💥".repeat(50),
  "x".repeat(5000),
  "../../etc/passwd",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "679F0FC7-1E4B-4C3A-9F1E-2B3C4D5E6F70",
  "00000000-0000-0000-0000-000000000000",
  "2147483648",
  "-1",
  "1e309",
  "NaN",
  "null",
  "%00",
  "true",
];
const NASTY_NUMBERS = [-1, 2 ** 31, 2 ** 31 - 1, 2 ** 53, -(2 ** 63), 1e308, 0.5];

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.constantFrom(...NASTY_NUMBERS),
  fc.constantFrom(null, true, false, [], {}, [1, "a"], { __proto__: 1 }),
  fc.string({ unit: "binary", maxLength: 40 }),
);

function resolve(doc: Doc, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop() ?? "";
    return resolve(doc, doc.components?.schemas?.[name]);
  }
  return schema;
}

/** A value that fits `schema` (roughly: formats and bounds are honoured, patterns are not). */
function fromSchema(doc: Doc, raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, raw);
  if (depth > 5) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union?.length) return fc.oneof(...union.map((u) => fromSchema(doc, u, depth + 1)));
  if (s.allOf?.length) return fromSchema(doc, s.allOf[0], depth + 1);
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== "null") ?? "null") : s.type;
  switch (type) {
    case "string":
      if (s.format === "uuid") return fc.uuid().map((u) => u);
      if (s.format === "email") return fc.emailAddress();
      if (s.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === "date")
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 200) });
    case "integer":
      return fc.integer({ min: s.minimum ?? -1000, max: Math.min(s.maximum ?? 100_000, 2 ** 31 - 1) });
    case "number":
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(fromSchema(doc, s.items, depth + 1), { maxLength: 4 });
    case "object":
    case undefined: {
      if (!s.properties)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 });
      const required = new Set(s.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(s.properties))
        shape[k] = byName(k) ?? fromSchema(doc, v, depth + 1);
      return fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) });
    }
    default:
      return fc.constant(null);
  }
}

/** Values that pass the services' own rules (password policy, names), so requests get deep. */
function byName(name: string): fc.Arbitrary<unknown> | undefined {
  if (/password/i.test(name)) return fc.uuid().map((u) => `Pw-${u}`);
  if (/name$/i.test(name)) return fc.constantFrom("Sam", "Alex Example", "Zoë", "李雷");
  if (name === "phone") return fc.constantFrom("+15551234567", "+442071234567");
  return undefined;
}

/**
 * Replaces ONE leaf of a valid request (a path or query parameter, a body field, or a field one
 * level down) with a hostile value, so every other field still passes and the bad one reaches as
 * deep as it can. Half of the requests are left valid.
 */
function mutate(req: { path: Record<string, unknown>; query: Record<string, unknown>; body: unknown }) {
  return fc.option(fc.tuple(fc.nat(), nasty), { freq: 2 }).map((m) => {
    if (!m) return req;
    const [pick, value] = m;
    const copy = structuredClone(req) as typeof req;
    const slots: Array<(v: unknown) => void> = [];
    for (const k of Object.keys(copy.path)) slots.push((v) => (copy.path[k] = v));
    for (const k of Object.keys(copy.query)) slots.push((v) => (copy.query[k] = v));
    const body = copy.body;
    if (body && typeof body === "object" && !Array.isArray(body)) {
      const record = body as Record<string, unknown>;
      for (const [k, child] of Object.entries(record)) {
        slots.push((v) => (record[k] = v));
        if (child && typeof child === "object" && !Array.isArray(child))
          for (const sub of Object.keys(child))
            slots.push((v) => ((child as Record<string, unknown>)[sub] = v));
      }
    }
    if (slots.length === 0) return { ...copy, body: value };
    slots[pick % slots.length]?.(value);
    return copy;
  });
}

function paramText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** encodeURIComponent, but a lone surrogate is sent as the raw bytes a client could send. */
function encodePathSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ""))}%ED%A0%80`;
  }
}

interface Generated {
  path: string;
  query: string;
  body: string | undefined;
}

function requestArb(doc: Doc, template: string, op: Operation, ownId: () => string): fc.Arbitrary<Generated> {
  const params = op.parameters ?? [];
  const pathParams: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of params.filter((x) => x.in === "path")) {
    const s = resolve(doc, p.schema);
    // Ids: the caller's own (also upper-cased: two spellings must be one record) or a stranger's.
    pathParams[p.name] =
      s.format === "uuid" ? fc.oneof(fc.constant("own"), fc.constant("OWN"), fc.uuid()) : fromSchema(doc, s);
  }
  const queryParams: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of params.filter((x) => x.in === "query")) queryParams[p.name] = fromSchema(doc, p.schema);
  const json = op.requestBody?.content?.["application/json"]?.schema;
  const valid = fc.record({
    path: fc.record(pathParams),
    query: fc.record(queryParams, { requiredKeys: [] }),
    body: json ? fromSchema(doc, json) : fc.constant(undefined),
  });
  const broken = fc.constantFrom("{", "[]", '{"a":', "null", '"\\u0000"');
  return fc
    .tuple(valid.chain(mutate), fc.option(broken, { freq: 10 }))
    .map(([{ path, query, body }, rawBody]) => {
      let concrete = template;
      for (const [k, v] of Object.entries(path)) {
        const text = v === "own" ? ownId() : v === "OWN" ? ownId().toUpperCase() : paramText(v);
        concrete = concrete.replace(`{${k}}`, encodePathSegment(text));
      }
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, paramText(v));
      const b = json ? (rawBody ?? JSON.stringify(body ?? null)) : undefined;
      return { path: concrete, query: qs.toString(), body: b };
    });
}

const ROLES = ["anonymous", "patient", "clinician", "admin"] as const;

describe("fuzz: every operation × role from /openapi.json answers below 500", async () => {
  const doc = (await (await call("/openapi.json")).json()) as Doc;
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path: path.replace(/^\/v1\/?/, "/v1/"), op })),
  );

  it("covers the API", () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  for (const { method, path, op } of operations) {
    const key = `${method} ${path}`;
    if (SKIP.has(key) || path.startsWith("/__dev")) continue;
    it(key, async () => {
      const users: Partial<Record<(typeof ROLES)[number], TestUser>> = {};
      for (const role of ROLES) if (role !== "anonymous") users[role] = await createUser(role);
      if (users.patient && users.clinician) await addToCareTeam(users.patient, users.clinician);
      // A patient with a profile, so reads reach decryption (an upper-case id failed there).
      await call("/v1/me/profile", {
        method: "PUT",
        headers: { ...users.patient?.auth, "content-type": "application/json" },
        body: JSON.stringify({ legalName: "Fuzz Patient" }),
      });
      for (const [i, role] of ROLES.entries()) {
        const user = users[role];
        const ownId = () => users.patient?.id ?? crypto.randomUUID();
        await fc.assert(
          fc.asyncProperty(requestArb(doc, path, op, ownId), async (req) => {
            const headers: Record<string, string> = { accept: "application/json" };
            if (user) headers.authorization = user.auth.authorization;
            if (req.body !== undefined) headers["content-type"] = "application/json";
            const url = `${req.path}${req.query ? `?${req.query}` : ""}`;
            const res = await call(url, {
              method: method.toUpperCase(),
              headers,
              ...(req.body !== undefined ? { body: req.body } : {}),
            });
            const type = res.headers.get("content-type") ?? "";
            const text = res.body ? await res.text().catch(() => "") : "";
            if (res.status >= 500 || (res.status >= 400 && !type.startsWith("application/problem+json"))) {
              throw new Error(
                `${role} ${method.toUpperCase()} ${url} body=${JSON.stringify(req.body)} → ${res.status} ${type} ${text.slice(0, 300)}`,
              );
            }
          }),
          { numRuns: RUNS, seed: SEED + i, endOnFailure: true },
        );
      }
    });
  }
});
