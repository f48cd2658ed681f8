import { and, desc, eq, isNull, ne, type SQL, sql } from "drizzle-orm";
import { consents, profiles, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import type { Config } from "../../lib/config";
import type { Database } from "../../lib/db";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import type { ConsentKind, Region } from "../../lib/vocabulary";
import { requirePatientAccess } from "../care-team/access";
import { EmergencyContact, POLICY_VERSION, type Profile, type ProfileInput } from "./schema";

/** Encrypted profile fields: the AAD names each column, so ciphertexts cannot be swapped between fields. */
const FIELD = {
  legalName: "legal_name",
  dateOfBirth: "date_of_birth",
  phone: "phone",
  emergencyContact: "emergency_contact",
} as const;

const noAccount = () => new AppError("not_found", "No such account");

/**
 * The signed-in account: exactly one query (users by primary key). Reading one's own account is
 * not PHI and is not audited.
 */
export async function getAccount(scope: Scope, p: Principal) {
  const [row] = await scope
    .db(p.region)
    .select({
      id: users.id,
      role: users.role,
      region: users.region,
      displayName: users.displayName,
      emailEnc: users.emailEnc,
      wrapped: users.dataKeyWrapped,
      emailVerifiedAt: users.emailVerifiedAt,
      mfaEnabledAt: users.mfaEnabledAt,
    })
    .from(users)
    .where(eq(users.id, p.userId));
  if (!row) throw noAccount();
  const cipher = await userCipher(scope.config, row.id, row.wrapped);
  const { emailEnc, wrapped, emailVerifiedAt, mfaEnabledAt, ...account } = row;
  return {
    ...account,
    email: cipher ? await cipher.decrypt("email", emailEnc) : null,
    emailVerified: emailVerifiedAt !== null,
    mfaEnabled: mfaEnabledAt !== null,
  };
}

function profileQuery(db: Database, userId: string) {
  return db
    .select({
      wrapped: users.dataKeyWrapped,
      legalName: profiles.legalNameEnc,
      dateOfBirth: profiles.dateOfBirthEnc,
      phone: profiles.phoneEnc,
      emergencyContact: profiles.emergencyContactEnc,
      updatedAt: profiles.updatedAt,
    })
    .from(users)
    .leftJoin(profiles, eq(profiles.userId, users.id))
    .where(eq(users.id, userId));
}

type ProfileRow = Awaited<ReturnType<typeof profileQuery>>[number];

/** Decrypts with the data subject's key; a shredded key leaves every field null. */
async function decryptProfile(config: Config, userId: string, row: ProfileRow | undefined): Promise<Profile> {
  const cipher = await userCipher(config, userId, row?.wrapped ?? null);
  const open = (field: string, ct: string | null | undefined) =>
    cipher?.decryptOptional(field, ct ?? null) ?? null;
  const [legalName, dateOfBirth, phone, contact] = await Promise.all([
    open(FIELD.legalName, row?.legalName),
    open(FIELD.dateOfBirth, row?.dateOfBirth),
    open(FIELD.phone, row?.phone),
    open(FIELD.emergencyContact, row?.emergencyContact),
  ]);
  return {
    userId,
    legalName,
    dateOfBirth,
    phone,
    emergencyContact: contact === null ? null : EmergencyContact.parse(JSON.parse(contact)),
    updatedAt: row?.updatedAt?.toISOString() ?? null,
  };
}

/** Reads a profile and records the read in one round trip (one transaction) in the subject's region. */
async function readProfile(scope: Scope, userId: string, region: Region): Promise<Profile> {
  const db = scope.db(region);
  const [rows] = await db.batch([
    profileQuery(db, userId),
    auditInsert(db, scope, {
      action: "profile.read",
      resourceType: "profile",
      resourceId: userId,
      patientId: userId,
      outcome: "success",
    }),
  ]);
  return decryptProfile(scope.config, userId, rows[0]);
}

export function getOwnProfile(scope: Scope, p: Principal): Promise<Profile> {
  return readProfile(scope, p.userId, p.region);
}

/** A patient's profile for the patient, their care team or a break-glass holder; anyone else gets an audited 404. */
export async function getPatientProfile(scope: Scope, p: Principal, patientId: string): Promise<Profile> {
  const access = await requirePatientAccess(scope, p, patientId, {
    action: "profile.read",
    resourceType: "profile",
  });
  return readProfile(scope, patientId, access.region);
}

/** Replaces the caller's profile: fetch the data key, encrypt, then upsert + audit in one transaction. */
export async function putOwnProfile(scope: Scope, p: Principal, input: ProfileInput): Promise<Profile> {
  const db = scope.db(p.region);
  const [user] = await db.select({ wrapped: users.dataKeyWrapped }).from(users).where(eq(users.id, p.userId));
  const cipher = await userCipher(scope.config, p.userId, user?.wrapped ?? null);
  if (!cipher) throw noAccount();
  const seal = async (field: string, value: string | null | undefined) =>
    value == null ? null : cipher.encrypt(field, value);
  const contact = input.emergencyContact ? JSON.stringify(input.emergencyContact) : null;
  const values = {
    legalNameEnc: await seal(FIELD.legalName, input.legalName),
    dateOfBirthEnc: await seal(FIELD.dateOfBirth, input.dateOfBirth),
    phoneEnc: await seal(FIELD.phone, input.phone),
    emergencyContactEnc: await seal(FIELD.emergencyContact, contact),
  };
  const [[saved]] = await db.batch([
    db
      .insert(profiles)
      .values({ userId: p.userId, ...values })
      .onConflictDoUpdate({ target: profiles.userId, set: { ...values, updatedAt: sql`now()` } })
      .returning({ updatedAt: profiles.updatedAt }),
    auditInsert(db, scope, {
      action: "profile.update",
      resourceType: "profile",
      resourceId: p.userId,
      patientId: p.userId,
      outcome: "success",
    }),
  ]);
  return {
    userId: p.userId,
    legalName: input.legalName ?? null,
    dateOfBirth: input.dateOfBirth ?? null,
    phone: input.phone ?? null,
    emergencyContact: input.emergencyContact ?? null,
    updatedAt: saved?.updatedAt.toISOString() ?? null,
  };
}

function consentRows(db: Database, userId: string) {
  return db
    .select({
      id: consents.id,
      kind: consents.kind,
      policyVersion: consents.policyVersion,
      grantedAt: consents.grantedAt,
      withdrawnAt: consents.withdrawnAt,
    })
    .from(consents)
    .where(eq(consents.userId, userId))
    .orderBy(desc(consents.grantedAt), desc(consents.id));
}

function summarize(rows: Awaited<ReturnType<typeof consentRows>>) {
  const active = (kind: ConsentKind) =>
    rows.some((r) => r.kind === kind && r.withdrawnAt === null && r.policyVersion === POLICY_VERSION);
  return {
    policyVersion: POLICY_VERSION as typeof POLICY_VERSION,
    active: { health_data: active("health_data"), ai_companion: active("ai_companion") },
    records: rows.map((r) => ({
      ...r,
      grantedAt: r.grantedAt.toISOString(),
      withdrawnAt: r.withdrawnAt?.toISOString() ?? null,
    })),
  };
}

const consentEvent = (scope: Scope, db: Database, p: Principal, action: string, kind?: ConsentKind) =>
  auditInsert(db, scope, {
    action,
    resourceType: "consent",
    resourceId: kind ?? null,
    patientId: p.userId,
    outcome: "success",
  });

export async function listConsents(scope: Scope, p: Principal) {
  const db = scope.db(p.region);
  const [rows] = await db.batch([consentRows(db, p.userId), consentEvent(scope, db, p, "consent.read")]);
  return summarize(rows);
}

const openGrant = (p: Principal, kind: ConsentKind): SQL =>
  and(eq(consents.userId, p.userId), eq(consents.kind, kind), isNull(consents.withdrawnAt))!;

/**
 * Grants `kind` under the current policy, in one transaction: a grant under an older version is
 * closed, a new row is added unless a current one is open (idempotent), and the result is audited.
 * Rows are never changed except to set `withdrawn_at`.
 */
export async function grantConsent(scope: Scope, p: Principal, kind: ConsentKind) {
  const db = scope.db(p.region);
  const [, , rows] = await db.batch([
    db
      .update(consents)
      .set({ withdrawnAt: sql`now()` })
      .where(and(openGrant(p, kind), ne(consents.policyVersion, POLICY_VERSION))),
    db.execute(sql`insert into ${consents} (user_id, kind, policy_version)
      select ${p.userId}::uuid, ${kind}, ${POLICY_VERSION}
      where not exists (select 1 from ${consents} where ${openGrant(p, kind)})
      on conflict do nothing`),
    consentRows(db, p.userId),
    consentEvent(scope, db, p, "consent.grant", kind),
  ]);
  return summarize(rows);
}

/** Withdraws `kind` (closing any open grant); withdrawing what is not granted changes nothing. */
export async function withdrawConsent(scope: Scope, p: Principal, kind: ConsentKind) {
  const db = scope.db(p.region);
  const [, rows] = await db.batch([
    db.update(consents).set({ withdrawnAt: sql`now()` }).where(openGrant(p, kind)),
    consentRows(db, p.userId),
    consentEvent(scope, db, p, "consent.withdraw", kind),
  ]);
  return summarize(rows);
}
