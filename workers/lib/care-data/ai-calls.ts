import { aiCalls } from "../../db/schema";
import type { Database } from "../db";

export type AiCallRow = typeof aiCalls.$inferInsert;

/**
 * One model call in the AI processing trail (no content: model, prompt version, tokens, latency,
 * outcome, safety decisions as ids, library items used). Written by the chat room in a job scope,
 * in the patient's region.
 */
export function aiCallInsert(db: Database, row: AiCallRow) {
  return db.insert(aiCalls).values(row);
}
