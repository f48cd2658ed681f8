import { describe, expect, it } from "vitest";
import { files, namedImports, SOURCES } from "./sources";

/** Tables holding a patient's health data or the record of who touched it. */
const PHI_TABLES = [
  "profiles",
  "consents",
  "chatMessages",
  "chatSharing",
  "riskEvents",
  "notifications",
  "screenerResponses",
  "auditLog",
  "careAlerts",
  "careTeam",
  "breakGlass",
  "companionFeedback",
  "aiCalls",
  "assessmentResponses",
  "assessmentAssignments",
  "therapySessions",
  "sessionNotes",
  "sessionNoteAddenda",
  "psychotherapyNotes",
  "sessionRecordings",
  "sessionSlots",
  "wearableDevices",
  "telemetryReadings",
  "telemetryMinute",
  "telemetryHour",
  "notificationDeliveries",
  "notificationDeadLetters",
  "dataRequests",
  "legalHolds",
  "trackingEntries",
  "medications",
  "medicationDoses",
  "safetyPlans",
  "riskSignals",
  "careAlertActions",
  "companionSummaries",
];

/**
 * The only modules that may import PHI tables: the care-data repository and its query modules,
 * the audit writer (it only inserts audit rows), the drizzle factory (it hands drizzle the whole
 * schema) and the schema itself.
 */
const ALLOWED = ["workers/lib/care-data/", "workers/lib/audit.ts", "workers/lib/db.ts", "workers/db/"];

/** Modules outside the allow-list that import a PHI table (or the whole schema) directly. */
function phiBypasses(sources: Record<string, string>): string[] {
  return Object.entries(sources)
    .filter(([path]) => !ALLOWED.some((a) => path.startsWith(a)))
    .flatMap(([path, text]) =>
      namedImports(path, text)
        .filter((i) => i.from === "workers/db/schema" || i.from.startsWith("workers/db/schema/"))
        .flatMap((i) =>
          i.names.filter((n) => n === "*" || PHI_TABLES.includes(n)).map((n) => `${path}: ${n}`),
        ),
    );
}

describe("one door to PHI: the care-data repository", () => {
  it("no module outside workers/lib/care-data imports a PHI table", () => {
    const app = Object.fromEntries(
      [...files("workers/"), ...files("durable-objects/"), ...files("web/")].map((p) => [
        p,
        SOURCES[p] ?? "",
      ]),
    );
    expect(Object.keys(app).length).toBeGreaterThan(50);
    expect(phiBypasses(app)).toEqual([]);
  });

  it("catches a service that queries a PHI table directly (the check can fail)", () => {
    const bypass = {
      "workers/features/wearables/service.ts": `import { and } from "drizzle-orm";\nimport { profiles, users } from "../../db/schema";\n`,
      "durable-objects/sneaky.ts": `import type { chatMessages as m } from "../workers/db/schema/chat";\n`,
      "workers/lib/care-data/wearables.ts": `import { profiles } from "../../db/schema";\n`,
    };
    expect(phiBypasses(bypass)).toEqual([
      "workers/features/wearables/service.ts: profiles",
      "durable-objects/sneaky.ts: chatMessages",
    ]);
  });
});
