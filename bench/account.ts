/**
 * A signed-in patient for the bench. First choice: the demo patient whose credentials dev.ts
 * printed (bench mode starts empty databases, so the seed runs every time). Fallback (e.g. a
 * persistent REDIS_URL made the seed say "already exist"): sign up a fresh patient through the
 * API and confirm the email with the token from the dev mailbox, read from the local Upstash
 * endpoint named in `.data/dev.bench.vars`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface Credentials {
  email: string;
  password: string;
}

interface LoginResult {
  accessToken?: string;
  mfaRequired?: boolean;
}

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** POST /v1/auth/login; returns the access token (throws on non-2xx or an MFA challenge). */
export async function login(baseUrl: string, creds: Credentials): Promise<string> {
  const res = await postJson(`${baseUrl}/v1/auth/login`, creds);
  const text = await res.text();
  if (!res.ok) throw new Error(`login answered ${res.status}: ${text.slice(0, 200)}`);
  const result = JSON.parse(text) as LoginResult;
  if (result.mfaRequired || !result.accessToken)
    throw new Error("login asked for MFA; the bench needs a patient");
  return result.accessToken;
}

function readVars(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const i = line.indexOf("=");
    if (i <= 0) continue;
    const raw = line.slice(i + 1);
    vars[line.slice(0, i)] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return vars;
}

/** The verification token from the newest matching mail in the dev mailbox (Redis list). */
async function verificationToken(root: string, email: string): Promise<string> {
  const vars = readVars(join(root, ".data", "dev.bench.vars"));
  const url = vars.UPSTASH_REDIS_REST_URL;
  const token = vars.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) throw new Error("dev.bench.vars has no Upstash URL/token");
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(["LRANGE", "devmail:inbox", "0", "99"]),
    });
    const { result } = (await res.json()) as { result?: unknown[] };
    for (const item of result ?? []) {
      const text = String(item);
      const m = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(text);
      if (m?.[1] && text.includes(email)) return m[1];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no verification mail for ${email} in the dev mailbox`);
}

/** Signs up, verifies and returns a new patient's credentials. */
export async function signupPatient(baseUrl: string, root: string): Promise<Credentials> {
  const id = randomBytes(6).toString("hex");
  const creds = {
    email: `bench-${id}@bench.haven.local`,
    password: `Quiet-river-${randomBytes(9).toString("base64url")}`,
  };
  const signup = await postJson(`${baseUrl}/v1/auth/signup`, {
    ...creds,
    displayName: "Bench Patient",
    region: "us",
    consents: { healthData: true, aiCompanion: false },
  });
  if (!signup.ok) throw new Error(`signup answered ${signup.status}: ${(await signup.text()).slice(0, 200)}`);
  await signup.body?.cancel();
  const token = await verificationToken(root, creds.email);
  const verify = await postJson(`${baseUrl}/v1/auth/verify-email`, { token });
  if (!verify.ok) throw new Error(`verify-email answered ${verify.status}`);
  await verify.body?.cancel();
  return creds;
}
