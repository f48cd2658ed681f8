import { createExecutionContext, env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, testConfig } from "../../../test/fixtures";
import { app } from "../../app";
import { users } from "../../db/schema";
import { ConfigSchema } from "../../lib/config";
import { createDatabase } from "../../lib/db";
import { userCipher } from "../../lib/user-cipher";

const ctx = createExecutionContext();

describe("master key rotation", () => {
  it("re-wraps data keys under the new master key; old ciphertext still decrypts", async () => {
    const patient = await createUser("patient", "apac");
    const admin = await createUser("admin", "apac");
    const db = createDatabase(testConfig(), "apac");
    const [before] = await db.select().from(users).where(eq(users.id, patient.id));
    expect(before?.dataKeyWrapped?.startsWith("mk-v1:")).toBe(true);

    const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const rotatedEnv = { ...env, MASTER_KEYS: `v2:${newKey},${env.MASTER_KEYS}` };
    let remaining = 1;
    while (remaining > 0) {
      const res = await app.fetch(
        new Request("http://haven.test/v1/admin/keys/rotate?region=apac", {
          method: "POST",
          headers: { ...admin.auth, "cf-connecting-ip": "192.0.2.77" },
        }),
        rotatedEnv,
        ctx,
      );
      expect(res.status).toBe(200);
      remaining = ((await res.json()) as { remaining: number }).remaining;
    }
    const [after] = await db.select().from(users).where(eq(users.id, patient.id));
    expect(after?.dataKeyWrapped?.startsWith("mk-v2:")).toBe(true);
    const cipher = await userCipher(
      ConfigSchema.parse(rotatedEnv),
      patient.id,
      after?.dataKeyWrapped ?? null,
    );
    expect(await cipher?.decrypt("email", before?.emailEnc ?? "")).toBe(patient.email);
  });

  it("is admin-only (404 for others, 401 anonymous)", async () => {
    const clinician = await createUser("clinician");
    const res = await app.fetch(
      new Request("http://haven.test/v1/admin/keys/rotate?region=us", {
        method: "POST",
        headers: { ...clinician.auth, "cf-connecting-ip": "192.0.2.78" },
      }),
      env,
      ctx,
    );
    expect(res.status).toBe(404);
    const anon = await app.fetch(
      new Request("http://haven.test/v1/admin/keys/rotate?region=us", {
        method: "POST",
        headers: { "cf-connecting-ip": "192.0.2.79" },
      }),
      env,
      ctx,
    );
    expect(anon.status).toBe(401);
  });
});

describe("crypto-shredding", () => {
  it("deleting a user's wrapped data key leaves their ciphertext unreadable", async () => {
    const patient = await createUser("patient", "eu");
    const db = createDatabase(testConfig(), "eu");
    const [row] = await db.select().from(users).where(eq(users.id, patient.id));
    const config = testConfig();
    expect(
      await (await userCipher(config, patient.id, row?.dataKeyWrapped ?? null))?.decrypt(
        "email",
        row?.emailEnc ?? "",
      ),
    ).toBe(patient.email);
    await db.update(users).set({ dataKeyWrapped: null }).where(eq(users.id, patient.id));
    const [shredded] = await db.select().from(users).where(eq(users.id, patient.id));
    expect(await userCipher(config, patient.id, shredded?.dataKeyWrapped ?? null)).toBeNull();
    expect(shredded?.emailEnc).toBe(row?.emailEnc);
    expect(shredded?.emailEnc).not.toContain(patient.email);
  });
});
