import { careTeam, therapySessions } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";

/** JSON request as `user` (or anonymous), body parsed when JSON. */
export async function api(
  user: TestUser | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; type: string; text: string }> {
  const res = await call(path, {
    method,
    headers: {
      ...(user?.auth ?? {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  let parsed: Record<string, unknown> = {};
  if (type.includes("json")) parsed = JSON.parse(text) as Record<string, unknown>;
  return { status: res.status, body: parsed, type, text };
}

/** Open around the clock in UTC, 15-minute steps, 50-minute follow-ups + 10-minute buffer. */
export const OPEN_AVAILABILITY = {
  timeZone: "UTC",
  weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })),
  sessionTypes: [
    { id: "follow-up", label: "Follow-up", minutes: 50 },
    { id: "intake", label: "Intake", minutes: 60 },
  ],
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 10,
  minNoticeHours: 0,
  horizonDays: 60,
  dailyMax: 24,
  slotStepMinutes: 15,
  lateCancelHours: 24,
};

/** A clinician with open availability and patients on their active care team. */
export async function practice(patients: { region: "us" | "eu" | "apac" }[] = [{ region: "eu" }]) {
  const clinician = await createUser("clinician", "us");
  const put = await api(clinician, "PUT", "/v1/clinician/availability", OPEN_AVAILABILITY);
  if (put.status !== 200) throw new Error(`availability ${put.status} ${put.text}`);
  const team = await Promise.all(patients.map((p) => createUser("patient", p.region)));
  for (const p of team)
    await createDatabase(testConfig(), p.region)
      .insert(careTeam)
      .values({ patientId: p.id, clinicianId: clinician.id, status: "active", createdBy: clinician.id });
  return { clinician, patients: team };
}

/** An instant `days` ahead at hh:mm UTC, as ISO. */
export function at(days: number, hh: number, mm = 0): string {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  return new Date(d.getTime() + days * 86_400_000 + (hh * 60 + mm) * 60_000).toISOString();
}

/**
 * The access matrix's session: P with the team clinician, started ten minutes ago (so the visit
 * room is open and it can be marked), and the clinician's open availability.
 */
export async function matrixSession(patient: TestUser, clinician: TestUser): Promise<string> {
  const put = await api(clinician, "PUT", "/v1/clinician/availability", OPEN_AVAILABILITY);
  if (put.status !== 200) throw new Error(`availability ${put.status}`);
  const id = crypto.randomUUID();
  const start = Date.now() - 10 * 60_000;
  await createDatabase(testConfig(), patient.region)
    .insert(therapySessions)
    .values({
      id,
      patientId: patient.id,
      clinicianId: clinician.id,
      clinicianRegion: clinician.region,
      sessionType: "follow-up",
      startsAt: new Date(start),
      endsAt: new Date(start + 50 * 60_000),
      bookedBy: patient.id,
    });
  return id;
}

/** base64url → bytes (the API hands the content key out as base64url). */
export const b64url = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );

/** What the browser does (web/public/assets/visit.js): 0x02 ‖ IV ‖ AES-GCM(chunk), AAD bound to recording and n. */
export async function seal(
  contentKey: string,
  recordingId: string,
  n: number,
  plain: Uint8Array,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", b64url(contentKey), "AES-GCM", false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aad = new TextEncoder().encode(`haven-recording:${recordingId}:${n}`);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plain),
  );
  const out = new Uint8Array(13 + ct.length);
  out.set([2]);
  out.set(iv, 1);
  out.set(ct, 13);
  return out;
}
