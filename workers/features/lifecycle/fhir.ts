import type { FhirResource } from "../../lib/care-data/kinds";

/** The account and profile as a FHIR R4 Patient (the profile kind has no resource of its own). */
export function patientResource(
  account: { id: string; displayName: string; email: string | null },
  profile: Record<string, unknown> | undefined,
): FhirResource {
  const legalName = typeof profile?.legalName === "string" ? profile.legalName : null;
  const birthDate = typeof profile?.dateOfBirth === "string" ? profile.dateOfBirth : null;
  const phone = typeof profile?.phone === "string" ? profile.phone : null;
  const contact = profile?.emergencyContact as {
    name?: string;
    phone?: string;
    relationship?: string;
  } | null;
  const telecom = [
    ...(account.email ? [{ system: "email", value: account.email }] : []),
    ...(phone ? [{ system: "phone", value: phone }] : []),
  ];
  return {
    resourceType: "Patient",
    id: account.id,
    name: [legalName ? { use: "official", text: legalName } : { use: "usual", text: account.displayName }],
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(birthDate && /^\d{4}-\d{2}-\d{2}$/.test(birthDate) ? { birthDate } : {}),
    ...(contact?.name
      ? {
          contact: [
            {
              relationship: [{ text: contact.relationship ?? "emergency contact" }],
              name: { text: contact.name },
              ...(contact.phone ? { telecom: [{ system: "phone", value: contact.phone }] } : {}),
            },
          ],
        }
      : {}),
  };
}

/**
 * A `searchset` Bundle of everything about the patient, in the shape of FHIR's
 * `Patient/$everything` (Medplum returns the same): the Patient first, then each resource, every
 * entry with a `urn:uuid` fullUrl so references resolve inside the Bundle.
 */
export function everythingBundle(id: string, resources: FhirResource[], at: Date) {
  return {
    resourceType: "Bundle",
    id,
    meta: { lastUpdated: at.toISOString() },
    type: "searchset",
    timestamp: at.toISOString(),
    total: resources.length,
    entry: resources.map((resource) => ({
      fullUrl: `urn:uuid:${resource.id}`,
      resource,
      search: { mode: resource.resourceType === "Patient" ? "match" : "include" },
    })),
  };
}
