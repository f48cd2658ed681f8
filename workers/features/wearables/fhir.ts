import type { ReadingType } from "../../../durable-objects/wearable-protocol";

/**
 * FHIR R4 `Observation` for each reading, with LOINC codes and UCUM units, in the vital-signs
 * category where FHIR's vital-signs profile applies. Validated against the official R4 JSON schema
 * in tests (test/fixtures/fhir/fhir.schema.json).
 */
export const LOINC: Record<
  ReadingType,
  { code: string; display: string; ucum: string; unit: string; vital: boolean }
> = {
  heart_rate: { code: "8867-4", display: "Heart rate", ucum: "/min", unit: "beats/minute", vital: true },
  resting_heart_rate: {
    code: "40443-4",
    display: "Heart rate --resting",
    ucum: "/min",
    unit: "beats/minute",
    vital: true,
  },
  hrv_sdnn: {
    code: "80404-7",
    display: "R-R interval.standard deviation (Heart rate variability)",
    ucum: "ms",
    unit: "ms",
    vital: false,
  },
  // LOINC has no RMSSD code in the list: the SDNN code would misstate it, so RMSSD carries
  // Haven's own code (system below) with the text, never 80404-7.
  hrv_rmssd: {
    code: "hrv-rmssd",
    display: "Heart rate variability RMSSD",
    ucum: "ms",
    unit: "ms",
    vital: false,
  },
  steps: {
    code: "55423-8",
    display: "Number of steps in unspecified time Pedometer",
    ucum: "{steps}",
    unit: "steps",
    vital: false,
  },
  spo2: {
    code: "59408-5",
    display: "Oxygen saturation in Arterial blood by Pulse oximetry",
    ucum: "%",
    unit: "%",
    vital: true,
  },
  respiratory_rate: {
    code: "9279-1",
    display: "Respiratory rate",
    ucum: "/min",
    unit: "breaths/minute",
    vital: true,
  },
  skin_temperature: { code: "8310-5", display: "Body temperature", ucum: "Cel", unit: "C", vital: true },
  sleep_stage: { code: "93832-4", display: "Sleep duration", ucum: "s", unit: "s", vital: false },
};

const HAVEN_CODES = "https://haven.example/fhir/CodeSystem/wearable-observation";

export interface FhirReading {
  ts: Date;
  value: number;
  stage: string | null;
  deviceId: string;
}

/** One reading as a FHIR R4 Observation (status final; the patient as subject; the device). */
export function toObservation(patientId: string, type: ReadingType, r: FhirReading) {
  const c = LOINC[type];
  const system = c.code.includes("-") && /^\d/.test(c.code) ? "http://loinc.org" : HAVEN_CODES;
  const start = r.ts.toISOString();
  return {
    resourceType: "Observation" as const,
    id: `${r.deviceId}.${type}.${r.ts.getTime()}`.replaceAll("_", "-").slice(0, 64),
    status: "final" as const,
    category: [
      {
        coding: [
          c.vital
            ? {
                system: "http://terminology.hl7.org/CodeSystem/observation-category",
                code: "vital-signs",
                display: "Vital Signs",
              }
            : {
                system: "http://terminology.hl7.org/CodeSystem/observation-category",
                code: "activity",
                display: "Activity",
              },
        ],
      },
    ],
    code: { coding: [{ system, code: c.code, display: c.display }], text: c.display },
    subject: { reference: `Patient/${patientId}` },
    device: { reference: `Device/${r.deviceId}` },
    ...(type === "sleep_stage"
      ? { effectivePeriod: { start, end: new Date(r.ts.getTime() + r.value * 1000).toISOString() } }
      : { effectiveDateTime: start }),
    valueQuantity: { value: r.value, unit: c.unit, system: "http://unitsofmeasure.org", code: c.ucum },
    ...(r.stage ? { component: [{ code: { text: "sleep stage" }, valueString: r.stage }] } : {}),
  };
}

/** A FHIR searchset Bundle of Observations. */
export function observationBundle(patientId: string, type: ReadingType, rows: FhirReading[]) {
  return {
    resourceType: "Bundle" as const,
    type: "searchset" as const,
    total: rows.length,
    entry: rows.map((r) => ({
      resource: toObservation(patientId, type, r),
      search: { mode: "match" as const },
    })),
  };
}
