import { env } from "cloudflare:test";
import { consents, sessions, users } from "../workers/db/schema";
import { signAccessToken } from "../workers/features/auth/jwt";
import { userRegionKey } from "../workers/lib/care-data/region";
import { type Config, ConfigSchema } from "../workers/lib/config";
import { createDatabase } from "../workers/lib/db";
import {
  ACCESS_TTL_SECONDS,
  REFRESH_TTL_SECONDS,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "../workers/lib/principal";
import { createRedis } from "../workers/lib/redis";
import { newUserCipher } from "../workers/lib/user-cipher";
import { POLICY_VERSION, type Region, type Role } from "../workers/lib/vocabulary";

/** The Worker's config as the tests' bindings define it. */
export function testConfig(): Config {
  return ConfigSchema.parse(env);
}

export interface TestUser {
  id: string;
  role: Role;
  region: Region;
  email: string;
  token: string;
  /** Authorization header for Bearer requests. */
  auth: { authorization: string };
}

/**
 * Inserts a user directly (bypassing sign-up) and mints an access token for them, so feature
 * tests can act as any role in any region. Sign-up itself is tested through its routes.
 */
export async function createUser(
  role: Role,
  region: Region = "us",
  opts: { mfa?: boolean; consents?: boolean } = {},
): Promise<TestUser> {
  const config = testConfig();
  const id = crypto.randomUUID();
  const email = `${role}-${id.slice(0, 8)}@example.test`;
  const { wrapped, cipher } = await newUserCipher(config, id);
  await createDatabase(config, region)
    .insert(users)
    .values({
      id,
      emailHash: `test-${id}`,
      emailEnc: await cipher.encrypt("email", email),
      displayName: `${role} ${id.slice(0, 4)}`,
      role,
      region,
      dataKeyWrapped: wrapped,
      emailVerifiedAt: new Date(),
      mfaEnabledAt: role === "patient" ? null : new Date(),
    });
  // Patients consent at sign-up; `consents: false` makes one who has not (or has withdrawn).
  if (role === "patient" && opts.consents !== false)
    await createDatabase(config, region)
      .insert(consents)
      .values([
        { userId: id, kind: "health_data", policyVersion: POLICY_VERSION },
        { userId: id, kind: "ai_companion", policyVersion: POLICY_VERSION },
      ]);
  await createRedis(config).set(userRegionKey(id), region);
  const { token } = await newSession(config, { id, role, region }, opts.mfa ?? role !== "patient");
  return { id, role, region, email, token, auth: { authorization: `Bearer ${token}` } };
}

/**
 * A live session row, as sign-in makes one (`GET /v1/me` checks revocation against it), and an
 * access token for it.
 */
async function newSession(
  config: Config,
  user: { id: string; role: Role; region: Region },
  mfa: boolean,
): Promise<{ token: string }> {
  const sid = crypto.randomUUID();
  await createDatabase(config, user.region)
    .insert(sessions)
    .values({
      id: sid,
      userId: user.id,
      mfa: mfa ? "totp" : "none",
      expiresAt: new Date(Date.now() + REFRESH_TTL_SECONDS * 1000),
    });
  const token = await signAccessToken(
    { sub: user.id, role: user.role, region: user.region, sid, jti: crypto.randomUUID(), mfa },
    config.JWT_SECRET,
    { ttlSeconds: ACCESS_TTL_SECONDS, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
  );
  return { token };
}

/** The same user signed in again: a new session and token (e.g. after a test signed the first out). */
export async function signIn(user: TestUser): Promise<TestUser> {
  const { token } = await newSession(testConfig(), user, user.role !== "patient");
  return { ...user, token, auth: { authorization: `Bearer ${token}` } };
}
