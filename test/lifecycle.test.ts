import { Validator } from "@cfworker/json-schema";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../workers/db/schema";
import { DATA_KINDS } from "../workers/lib/care-data/kinds";
import type { Region } from "../workers/lib/vocabulary";
import { createUser, type TestUser } from "./fixtures";
import fhirSchema from "./fixtures/fhir/fhir.schema.json";
import { call, until } from "./helpers";
import { seedEveryKind } from "./lifecycle-seed";

const REGION: Region = "eu";
const validator = new Validator(fhirSchema as object, "7", false);

async function exportOf(p: TestUser) {
  const res = await call("/v1/me/exports", {
    method: "POST",
    headers: { ...p.auth, "content-type": "application/json" },
    body: "{}",
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const ready = await until(async () => {
    const list = (await (await call("/v1/me/data-requests", { headers: p.auth })).json()) as {
      requests: Array<{ id: string; status: string; downloads: { json: string; fhir: string } | null }>;
    };
    const r = list.requests.find((x) => x.id === id);
    return r?.status === "ready" ? r : undefined;
  }, 20_000);
  const get = async (path: string) => {
    const res = await call(path, { headers: p.auth });
    expect(res.status).toBe(200);
    return res.json() as Promise<Record<string, unknown>>;
  };
  return { id, json: await get(ready.downloads?.json ?? ""), fhir: await get(ready.downloads?.fhir ?? "") };
}

describe("export (GDPR Art. 15/20)", () => {
  it("contains every registered data kind, decrypted, and nothing of another patient", async () => {
    const clinician = await createUser("clinician", REGION);
    const p = await createUser("patient", REGION);
    const other = await createUser("patient", REGION);
    await seedEveryKind(p, clinician.id, "MARK-P");
    await seedEveryKind(other, clinician.id, "MARK-OTHER");

    const { json, fhir } = await exportOf(p);
    const data = json.data as Record<string, unknown[]>;
    for (const kind of DATA_KINDS) {
      if (kind.psychotherapyNotes) {
        // Left out by default, as the law allows (included only when asked for).
        expect(data[kind.name], kind.name).toBeUndefined();
        continue;
      }
      expect(data[kind.name], kind.name).toBeDefined();
      expect(data[kind.name]?.length, kind.name).toBeGreaterThan(0);
    }
    expect(JSON.stringify(json)).not.toContain("private MARK-P");
    expect(data.chat_messages?.map((m) => (m as { content: string }).content)).toEqual([
      "hello MARK-P",
      "reply MARK-P",
    ]);
    expect((data.profile?.[0] as { legalName: string } | undefined)?.legalName).toBe("Legal MARK-P");
    expect((data.break_glass?.[0] as { reason: string } | undefined)?.reason).toBe("reason MARK-P");
    expect((json.subject as { email: string }).email).toBe(p.email);
    const text = JSON.stringify(json) + JSON.stringify(fhir);
    expect(text).toContain("MARK-P");
    expect(text).not.toContain("MARK-OTHER");
    expect(text).not.toContain(other.id);
    expect(text).not.toContain(other.email);

    const types = (fhir.entry as Array<{ resource: { resourceType: string } }>).map(
      (e) => e.resource.resourceType,
    );
    for (const t of [
      "Patient",
      "Consent",
      "Communication",
      "RiskAssessment",
      "QuestionnaireResponse",
      "Flag",
      "CareTeam",
    ]) {
      expect(types).toContain(t);
    }
    const result = validator.validate(fhir);
    expect(result.errors.slice(0, 3)).toEqual([]);
    expect(result.valid).toBe(true);
    // The same Bundle with one malformed value fails: the check can fail on a real defect.
    const broken = structuredClone(fhir) as { entry: Array<{ resource: Record<string, unknown> }> };
    const patient = broken.entry.find((e) => e.resource.resourceType === "Patient");
    if (patient) patient.resource.birthDate = "02/04/1990";
    expect(validator.validate(broken).valid).toBe(false);
  });

  it("the FHIR schema check can fail (a malformed birthDate is rejected)", () => {
    const bad = {
      resourceType: "Bundle",
      type: "searchset",
      entry: [
        { fullUrl: "urn:uuid:x", resource: { resourceType: "Patient", id: "p1", birthDate: "02/04/1990" } },
      ],
    };
    expect(validator.validate(bad).valid).toBe(false);
  });

  it("a signed link is refused when tampered with or expired, and another patient cannot use it", async () => {
    const p = await createUser("patient", REGION);
    const other = await createUser("patient", REGION);
    const { id } = await exportOf(p);
    const list = (await (await call("/v1/me/data-requests", { headers: p.auth })).json()) as {
      requests: Array<{ id: string; downloads: { json: string } }>;
    };
    const link = list.requests.find((r) => r.id === id)?.downloads.json ?? "";
    expect((await call(link.replace(/sig=.{4}/, "sig=AAAA"), { headers: p.auth })).status).toBe(404);
    expect((await call(link.replace(/exp=\d+/, "exp=1000"), { headers: p.auth })).status).toBe(404);
    expect((await call(link, { headers: other.auth })).status).toBe(404);
    expect((await call(link)).status).toBe(401);
    expect((await call(link, { headers: p.auth })).status).toBe(200);
  });
});

describe("data kinds registry", () => {
  it("registers every table that holds a person's data (or says why not)", () => {
    const registered = new Set(DATA_KINDS.map((k) => k.table));
    // Tables keyed by a person that are deliberately not export/erase kinds of their own.
    const notKinds: Record<string, string> = {
      users: "the account row itself: removed last by erasure, exported as the subject",
      audit_log: "kept 7 years, pseudonymised on erasure (its own mechanism)",
      refresh_tokens: "credentials: revoked and cascaded with the account, never exported",
      calendar_feeds:
        "credential: the hash of a calendar feed token; cascaded with the account, never exported",
      telemetry_readings:
        "raw readings: expire by the telemetry retention job; hourly rollups are the exported record",
      telemetry_minute: "chart rollups kept as long as the raw readings; hourly rollups are exported",
      session_recordings: "ciphertext index of R2 objects sealed with the person's key (crypto-shredded)",
      notification_settings: "delivery settings (time zone, quiet hours); cascaded with the account",
      notification_schedules: "scheduled reminders; cascaded with the account",
      push_subscriptions: "browser push endpoints; cascaded with the account",
      data_requests: "the lifecycle's own request ledger",
      legal_holds: "the lifecycle's own legal-hold ledger",
    };
    const personal = (Object.values(schema) as unknown[])
      .filter((t): t is PgTable => is(t, PgTable))
      .map((t) => getTableConfig(t))
      .filter((c) => c.columns.some((col) => col.name === "user_id" || col.name === "patient_id"))
      .map((c) => c.name);
    const unaccounted = personal.filter((t) => !registered.has(t) && !(t in notKinds));
    expect(unaccounted).toEqual([]);
    expect(registered.size).toBeGreaterThanOrEqual(24);
  });
});
