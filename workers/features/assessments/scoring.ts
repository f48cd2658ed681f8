import { AppError, type FieldError } from "../../lib/errors";
import type { Band, Instrument, Item } from "./instruments";

/** What the server computes from one complete form. */
export interface Scored {
  /** Sum of scored items after reversal. */
  raw: number;
  /** The instrument's reported score (raw × multiplier). */
  total: number;
  band: Band;
  /** PHQ-9 item 9 (0–3); null for other instruments. */
  item9: number | null;
  /** Answers as given (item id → option value), unscored items included when answered. */
  answers: Record<string, number>;
}

const optionsOf = (instrument: Instrument, item: Item) => item.options ?? instrument.options;
const maxOf = (instrument: Instrument, item: Item) =>
  Math.max(...optionsOf(instrument, item).map((o) => o.value));

/** The band a reported score falls in (bands are inclusive and cover 0–max). */
export function bandOf(instrument: Instrument, total: number): Band {
  const band = instrument.bands.find((b) => total >= b.min && total <= b.max);
  if (!band) throw new Error(`score ${total} outside ${instrument.id}'s bands`);
  return band;
}

/**
 * Scores a form on the server. An incomplete or invalid form is refused, never guessed: a 422
 * problem whose `errors` name every missing or invalid item (`answers.q3`) and whose `missing`
 * member lists the missing item ids. Unscored items (PHQ-9 difficulty) may be left out.
 *
 * @example scoreForm(INSTRUMENTS["pss-10"], { q1: 0, …, q4: 4 }) // q4 reversed: contributes 0
 */
export function scoreForm(instrument: Instrument, given: Readonly<Record<string, unknown>>): Scored {
  const errors: FieldError[] = [];
  const missing: string[] = [];
  const answers: Record<string, number> = {};
  const known = new Set(instrument.items.map((i) => i.id));
  for (const key of Object.keys(given)) {
    if (!known.has(key))
      errors.push({ path: `body.answers.${key}`, message: "Not an item of this instrument" });
  }
  let raw = 0;
  for (const item of instrument.items) {
    const value = given[item.id];
    if (value === undefined || value === null) {
      if (!item.unscored) {
        missing.push(item.id);
        errors.push({ path: `body.answers.${item.id}`, message: "Missing answer" });
      }
      continue;
    }
    const allowed = optionsOf(instrument, item).map((o) => o.value);
    if (typeof value !== "number" || !allowed.includes(value)) {
      errors.push({ path: `body.answers.${item.id}`, message: `Must be one of ${allowed.join(", ")}` });
      continue;
    }
    answers[item.id] = value;
    if (!item.unscored) raw += item.reverse ? maxOf(instrument, item) - value : value;
  }
  if (errors.length > 0) {
    const detail =
      missing.length > 0
        ? `Incomplete ${instrument.shortTitle}: answer ${missing.join(", ")}`
        : `Invalid ${instrument.shortTitle} answers`;
    throw new AppError("validation_failed", detail, { errors, extensions: { missing } });
  }
  const total = raw * instrument.multiplier;
  return {
    raw,
    total,
    band: bandOf(instrument, total),
    item9: instrument.id === "phq-9" ? (answers.q9 ?? null) : null,
    answers,
  };
}

/**
 * Whether a scored form takes the crisis path: PHQ-9 item 9 above 0, whatever the total. A 0 on
 * item 9 returns false, which means only "this rule did not fire" — never "safe".
 */
export function needsCrisisPath(instrument: Instrument, scored: Scored): boolean {
  return instrument.id === "phq-9" && (scored.item9 ?? 0) > 0;
}

/** Severity recorded for an item-9 escalation: 1 (several days) → moderate, 2–3 → high. */
export function item9Severity(item9: number): "moderate" | "high" {
  return item9 >= 2 ? "high" : "moderate";
}
