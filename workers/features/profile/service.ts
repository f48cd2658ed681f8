import { eq } from "drizzle-orm";
import { roomStub } from "../../../durable-objects/chat-stub";
import { tellStreamConsent } from "../../../durable-objects/wearable-stub";
import { users } from "../../db/schema";
import type { PatientAccess } from "../../lib/care-data/access";
import { consentRows, grantConsentWrites, withdrawConsentWrite } from "../../lib/care-data/consents";
import {
  PROFILE_READ,
  PROFILE_UPDATE,
  type ProfileRow,
  profileQuery,
  upsertProfile,
} from "../../lib/care-data/profile";
import { careData } from "../../lib/care-data/repository";
import type { Config } from "../../lib/config";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { confirmLiveSession, sessionLive } from "../../lib/session-check";
import { userCipher } from "../../lib/user-cipher";
import { type ConsentKind, POLICY_VERSION } from "../../lib/vocabulary";
import { chatAllowed } from "./consent";
import { EmergencyContact, type Profile, type ProfileInput } from "./schema";

/** Encrypted profile fields: the AAD names each column, so ciphertexts cannot be swapped between fields. */
const FIELD = {
  legalName: "legal_name",
  dateOfBirth: "date_of_birth",
  phone: "phone",
  emergencyContact: "emergency_contact",
} as const;

const noAccount = () => new AppError("not_found", "No such account");

/**
 * The signed-in account: exactly one query (users by primary key), which also carries the
 * session's revocation check (`GET /v1/me` reads no Redis denylist; see lib/session-check.ts).
 * Reading one's own account is not PHI and is not audited.
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
      live: sessionLive(p),
    })
    .from(users)
    .where(eq(users.id, p.userId));
  if (!row) throw noAccount();
  confirmLiveSession(row.live);
  const cipher = await userCipher(scope.config, row.id, row.wrapped);
  const { emailEnc, wrapped, emailVerifiedAt, mfaEnabledAt, live, ...account } = row;
  return {
    ...account,
    email: cipher ? await cipher.decrypt("email", emailEnc) : null,
    emailVerified: emailVerifiedAt !== null,
    mfaEnabled: mfaEnabledAt !== null,
  };
}

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
async function readProfile(scope: Scope, access: PatientAccess): Promise<Profile> {
  const [rows] = await careData(scope).run(
    access,
    PROFILE_READ,
    (db) => [profileQuery(db, access.patientId)] as const,
  );
  return decryptProfile(scope.config, access.patientId, rows[0]);
}

export function getOwnProfile(scope: Scope): Promise<Profile> {
  return readProfile(scope, careData(scope).self());
}

/** A patient's profile for the patient, their care team or a break-glass holder; anyone else gets an audited 404. */
export async function getPatientProfile(scope: Scope, patientId: string): Promise<Profile> {
  return readProfile(scope, await careData(scope).open(patientId, PROFILE_READ));
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
  const care = careData(scope);
  const [[saved]] = await care.run(
    care.self(),
    PROFILE_UPDATE,
    (db) => [upsertProfile(db, p.userId, values)] as const,
  );
  return {
    userId: p.userId,
    legalName: input.legalName ?? null,
    dateOfBirth: input.dateOfBirth ?? null,
    phone: input.phone ?? null,
    emergencyContact: input.emergencyContact ?? null,
    updatedAt: saved?.updatedAt.toISOString() ?? null,
  };
}

function summarize(rows: Awaited<ReturnType<typeof consentRows>>) {
  const active = (kind: ConsentKind) =>
    rows.some((r) => r.kind === kind && r.withdrawnAt === null && r.policyVersion === POLICY_VERSION);
  return {
    policyVersion: POLICY_VERSION as typeof POLICY_VERSION,
    active: {
      health_data: active("health_data"),
      ai_companion: active("ai_companion"),
      care_plan_context: active("care_plan_context"),
    },
    records: rows.map((r) => ({
      ...r,
      grantedAt: r.grantedAt.toISOString(),
      withdrawnAt: r.withdrawnAt?.toISOString() ?? null,
    })),
  };
}

const consentOp = (action: string, kind?: ConsentKind) => ({
  action,
  resourceType: "consent",
  resourceId: kind ?? null,
  allow: ["self"] as const,
});

export async function listConsents(scope: Scope, p: Principal) {
  const care = careData(scope);
  const [rows] = await care.run(
    care.self(),
    consentOp("consent.read"),
    (db) => [consentRows(db, p.userId)] as const,
  );
  return summarize(rows);
}

/**
 * Grants `kind` under the current policy, in one transaction: a grant under an older version is
 * closed, a new row is added unless a current one is open (idempotent), and the result is audited.
 */
export async function grantConsent(scope: Scope, p: Principal, kind: ConsentKind) {
  const care = careData(scope);
  const [, , rows] = await care.run(
    care.self(),
    consentOp("consent.grant", kind),
    (db) => [...grantConsentWrites(db, p.userId, kind), consentRows(db, p.userId)] as const,
  );
  const result = summarize(rows);
  await tellChatRoom(scope, p, chatAllowed(result.active));
  await tellStreamConsent(scope.env, scope.log, p.userId, p.region, result.active.health_data);
  return result;
}

/** Withdraws `kind` (closing any open grant); withdrawing what is not granted changes nothing. */
export async function withdrawConsent(scope: Scope, p: Principal, kind: ConsentKind) {
  const care = careData(scope);
  const [, rows] = await care.run(
    care.self(),
    consentOp("consent.withdraw", kind),
    (db) => [withdrawConsentWrite(db, p.userId, kind), consentRows(db, p.userId)] as const,
  );
  const result = summarize(rows);
  await tellChatRoom(scope, p, chatAllowed(result.active));
  await tellStreamConsent(scope.env, scope.log, p.userId, p.region, result.active.health_data);
  return result;
}

/**
 * Pushes the new consent into the user's chat room so an open socket is refused on its next
 * message (and allowed again after a grant). Best effort: the room re-checks Postgres on its own
 * within seconds.
 */
async function tellChatRoom(scope: Scope, p: Principal, allowed: boolean): Promise<void> {
  try {
    await roomStub(scope.env, p.userId, p.region).setConsent(
      { ownerId: p.userId, region: p.region },
      allowed,
    );
  } catch (err) {
    scope.log.warn("consent_push_failed", { error: err instanceof Error ? err.name : typeof err });
  }
}
