import { notifications } from "../../db/schema";
import type { Database } from "../db";

/** Pending crisis-alert notifications for each clinician (idempotent per recipient and event). */
export function insertCrisisNotifications(
  db: Database,
  patientId: string,
  recipientIds: string[],
  severity: string,
  seq: number,
) {
  return db
    .insert(notifications)
    .values(
      recipientIds.map((recipientId) => ({
        recipientId,
        patientId,
        kind: "crisis_alert" as const,
        severity,
        seq,
      })),
    )
    .onConflictDoNothing();
}
