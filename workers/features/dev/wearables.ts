import { users } from "../../db/schema";
import { initialConsents } from "../../lib/care-data/consents";
import { userRegionKey } from "../../lib/care-data/region";
import type { Principal } from "../../lib/principal";
import { type Scope, withPrincipal } from "../../lib/scope";
import { newUserCipher } from "../../lib/user-cipher";
import { emailHash, lookupDirectory } from "../accounts/directory";
import { registerDevice } from "../wearables/devices";

const asPatient = (userId: string): Principal => ({
  userId,
  role: "patient",
  region: "us",
  sessionId: crypto.randomUUID(),
  jti: crypto.randomUUID(),
  exp: Math.floor(Date.now() / 1000) + 60,
  mfa: false,
  via: "bearer",
});

/**
 * Local-only, for `npm run simulate`: one device for the demo patient plus `count − 1` devices of
 * synthetic patients (no password: they cannot sign in), each registered through the same service
 * a patient uses. Returns the device tokens (shown to the local simulator only).
 */
export async function simulatedDevices(
  scope: Scope,
  count: number,
): Promise<{ userId: string; token: string; demo: boolean }[]> {
  const demo = await lookupDirectory(
    scope,
    await emailHash(scope.config.EMAIL_HASH_KEY, "patient@demo.haven.local"),
  );
  const db = scope.db("us");
  const out: { userId: string; token: string; demo: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    let userId = i === 0 ? demo?.userId : undefined;
    if (!userId) {
      userId = crypto.randomUUID();
      const { wrapped, cipher } = await newUserCipher(scope.config, userId);
      const email = `sim-${userId.slice(0, 8)}@simulated.haven.local`;
      await db.batch([
        db.insert(users).values({
          id: userId,
          emailHash: `simulated-${userId}`,
          emailEnc: await cipher.encrypt("email", email),
          displayName: `Simulated ${i}`,
          role: "patient",
          region: "us",
          dataKeyWrapped: wrapped,
          emailVerifiedAt: new Date(),
        }),
        initialConsents(db, userId, ["health_data"]),
      ]);
      await scope.redis().set(userRegionKey(userId), "us");
    }
    const created = await registerDevice(withPrincipal(scope, asPatient(userId)), {
      kind: "watch",
      vendor: "Haven Simulator",
      model: `Sim ${i}`,
    });
    out.push({ userId, token: created.token, demo: i === 0 && Boolean(demo) });
  }
  return out;
}
