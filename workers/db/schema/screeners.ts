import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/** Screening instruments Haven offers. */
export const SCREENER_INSTRUMENTS = ["c-ssrs"] as const;
/** Triage outcome of a screener; "none" when every answer was no. */
export const SCREENER_RISKS = ["none", "low", "moderate", "high"] as const;

/**
 * One completed screener, stored in the patient's region. `answers_enc` is ciphertext under the
 * patient's data key (field `screener.answers:<id>`). `risk` is kept in the clear, like
 * `risk_events.severity`, so care-team queries can filter on it without the key.
 *
 * `seq` is an identity used for the alert trail: the screener's `risk_events` and `notifications`
 * rows carry `-seq`, a range chat room sequence numbers (≥ 1) never reach, so the two sources
 * cannot collide on their (user, seq) unique indexes.
 */
export const screenerResponses = pgTable(
  "screener_responses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seq: integer("seq").generatedAlwaysAsIdentity().notNull(),
    instrument: text("instrument", { enum: SCREENER_INSTRUMENTS }).notNull(),
    answersEnc: text("answers_enc").notNull(),
    risk: text("risk", { enum: SCREENER_RISKS }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("screener_responses_user_time_idx").on(t.userId, t.createdAt)],
);
