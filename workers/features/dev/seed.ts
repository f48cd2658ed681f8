import { recoveryCodes, users } from "../../db/schema";
import { insertMembership } from "../../lib/care-data/care-team";
import { initialConsents } from "../../lib/care-data/consents";
import type { Scope } from "../../lib/scope";
import { newUserCipher } from "../../lib/user-cipher";
import { emailHash, lookupDirectory, writeDirectory } from "../accounts/directory";
import { seedAssessments } from "../assessments/seed";
import { randomToken } from "../auth/jwt";
import { hashPassword } from "../auth/password";
import { generateRecoveryCodes, generateTotpSecret, hashRecoveryCode } from "../auth/totp";
import { seedNotifications } from "../notifications/seed";
import { seedSessionDemo } from "../sessions/seed";
import { seedTracking } from "../tracking/seed";

const DEMO = [
  { role: "patient", email: "patient@demo.haven.local", displayName: "Demo Patient" },
  { role: "clinician", email: "clinician@demo.haven.local", displayName: "Dr Demo Clinician" },
  { role: "admin", email: "admin@demo.haven.local", displayName: "Demo Admin" },
] as const;

/**
 * Creates the demo patient, a clinician on the patient's care team and an admin (all in `us`),
 * once. Returns printable credentials only when it created them; later runs say they exist.
 * Uses the Worker's own services, so demo data is encrypted and audited like real data.
 */
export async function seedDemo(scope: Scope): Promise<string> {
  const config = scope.config;
  const hashes = await Promise.all(DEMO.map((d) => emailHash(config.EMAIL_HASH_KEY, d.email)));
  if (await lookupDirectory(scope, hashes[0] as string)) {
    return "Demo accounts already exist (their credentials were printed when they were first created; delete .data/ to start over).";
  }
  const db = scope.db("us");
  const lines = ["Demo accounts (shown once):"];
  const ids: string[] = [];
  for (const [i, d] of DEMO.entries()) {
    const id = crypto.randomUUID();
    ids.push(id);
    const password = `Haven-${randomToken(16).slice(0, 14)}`;
    const { wrapped, cipher } = await newUserCipher(config, id);
    const totp = d.role === "patient" ? null : generateTotpSecret();
    const codes = totp ? generateRecoveryCodes(4) : [];
    await db.batch([
      db.insert(users).values({
        id,
        emailHash: hashes[i] as string,
        emailEnc: await cipher.encrypt("email", d.email),
        displayName: d.displayName,
        role: d.role,
        region: "us",
        passwordHash: await hashPassword(password),
        dataKeyWrapped: wrapped,
        emailVerifiedAt: new Date(),
        mfaSecretEnc: totp ? await cipher.encrypt("mfa_secret", totp) : null,
        mfaEnabledAt: totp ? new Date() : null,
      }),
      // The demo patient has also turned on the care-plan consent, so the demo shows the companion's
      // care-plan context and the clinician's between-session summary.
      initialConsents(
        db,
        id,
        d.role === "patient"
          ? ["health_data", "ai_companion", "care_plan_context"]
          : ["health_data", "ai_companion"],
      ),
      ...(codes.length
        ? [
            db
              .insert(recoveryCodes)
              .values(
                await Promise.all(
                  codes.map(async (rc) => ({ userId: id, codeHash: await hashRecoveryCode(rc, id) })),
                ),
              ),
          ]
        : []),
    ]);
    await writeDirectory(scope, hashes[i] as string, { region: "us", userId: id });
    lines.push(
      `  ${d.role.padEnd(9)} ${d.email}  password ${password}${totp ? `  TOTP secret ${totp}  recovery ${codes.join(" ")}` : ""}`,
    );
  }
  await insertMembership(db, {
    patientId: ids[0] as string,
    clinicianId: ids[1] as string,
    status: "active",
    createdBy: ids[2] as string,
  });
  await seedAssessments(scope, ids[0] as string, ids[1] as string);
  await seedSessionDemo(scope, ids[1] as string);
  await seedTracking(scope, ids[0] as string);
  lines.push("  The clinician is on the patient's care team. Outgoing mail: /dev/mailbox");
  lines.push(
    ...(await seedNotifications(scope, { patientId: ids[0] as string, clinicianId: ids[1] as string })),
  );
  return lines.join("\n");
}
