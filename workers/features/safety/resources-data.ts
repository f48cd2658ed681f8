/**
 * Crisis resources by country and region (data only). Numbers are public national services; they
 * must be re-verified by clinical operations before each release and whenever a region is added.
 *
 * `kind` lets the fixed response choose: "emergency" is used for "call now" wording, "abuse" lines
 * are only listed when abuse is detected, "directory" is the worldwide fallback.
 */

export type ResourceKind = "emergency" | "crisis" | "abuse" | "youth" | "directory";

export interface CrisisResource {
  name: string;
  /** Number to call, as people dial it locally. */
  phone?: string;
  /** How to reach the service by SMS, e.g. "Text HOME to 741741". */
  text?: string;
  url?: string;
  /** When the service answers, e.g. "24/7". */
  available: string;
  kind?: ResourceKind;
  /** Extra guidance shown with the entry. */
  description?: string;
}

export const emergency = (phone: string, description?: string): CrisisResource => ({
  name: "Emergency services",
  phone,
  available: "24/7",
  kind: "emergency",
  ...(description === undefined ? {} : { description }),
});

/** Shown when we know nothing about the region, and appended to multi-country regions. */
export const GENERIC_EMERGENCY: CrisisResource = {
  name: "Local emergency services",
  available: "24/7",
  kind: "emergency",
  description: "If you are in immediate danger, call your local emergency number now.",
};

export const FIND_A_HELPLINE: CrisisResource = {
  name: "Find A Helpline",
  url: "https://findahelpline.com",
  available: "Online directory of free, confidential helplines worldwide",
  kind: "directory",
};

export const SAMARITANS: CrisisResource = {
  name: "Samaritans",
  phone: "116 123",
  url: "https://www.samaritans.org",
  available: "24/7",
  kind: "crisis",
};

/** Multi-country regions: a locale's country is preferred when it belongs to the region. */
export const REGION_RESOURCES: Readonly<
  Record<string, { countries: readonly string[]; resources: readonly CrisisResource[] }>
> = {
  eu: {
    countries: ["de", "at", "fr", "es", "it", "nl", "be", "pt", "ie"],
    resources: [
      emergency("112", "112 works in every EU country."),
      {
        name: "Emotional support helpline",
        phone: "116 123",
        available: "Varies by country",
        kind: "crisis",
        description: "Free emotional-support number in many European countries.",
      },
      FIND_A_HELPLINE,
    ],
  },
  apac: {
    countries: ["au", "nz", "in"],
    resources: [GENERIC_EMERGENCY, FIND_A_HELPLINE],
  },
  emea: {
    countries: ["gb", "ie", "de", "at", "ch", "fr", "es", "it", "nl", "be", "pt"],
    resources: [GENERIC_EMERGENCY, FIND_A_HELPLINE],
  },
  latam: {
    countries: ["br", "mx"],
    resources: [GENERIC_EMERGENCY, FIND_A_HELPLINE],
  },
};

/** Common non-ISO spellings. */
export const REGION_ALIASES: Readonly<Record<string, string>> = { uk: "gb", usa: "us", "en-gb": "gb" };

/** Language-specific notes added to a country's entries (keyed `${country}-${language}`). */
export const LANGUAGE_NOTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "us-es": { "988 Suicide & Crisis Lifeline": "Ayuda en español: llame al 988 y oprima 2." },
  "ca-fr": { "9-8-8 Suicide Crisis Helpline": "Service offert en français." },
};
