import { upsertAvailability } from "../../lib/care-data/sessions";
import type { Scope } from "../../lib/scope";
import { DEFAULT_AVAILABILITY } from "./availability";

/** Demo data: the demo clinician publishes weekday hours (09:00–17:00 New York) with two session types. */
export async function seedSessionDemo(scope: Scope, clinicianId: string): Promise<void> {
  const a = DEFAULT_AVAILABILITY("America/New_York");
  await upsertAvailability(scope.db("us"), clinicianId, a.timeZone, a);
}
