/**
 * Crisis resources for a region, chosen without any network call so the fixed crisis response can
 * be shown immediately at the edge. Data lives in `resources-data.ts`.
 */

import { COUNTRY_RESOURCES } from "./resources-countries";
import type { CrisisResource } from "./resources-data";
import {
  FIND_A_HELPLINE,
  GENERIC_EMERGENCY,
  LANGUAGE_NOTES,
  REGION_ALIASES,
  REGION_RESOURCES,
} from "./resources-data";

export type { CrisisResource, ResourceKind } from "./resources-data";

/**
 * Resources for `region` (ISO country code such as "us", "GB", "de", or a region key "us", "eu",
 * "apac", "emea", "latam"; case-insensitive). `locale` (BCP 47, e.g. "es-US", "de-AT") refines a
 * multi-country region to the locale's country and adds language notes. An unknown region returns
 * the generic "call your local emergency number" entry plus a worldwide directory, never an empty
 * list. Returns fresh copies; callers may mutate them.
 */
export function crisisResources(region: string, locale?: string): CrisisResource[] {
  const key = canonicalRegion(region);
  const [language, localeCountry] = parseLocale(locale);
  const country = COUNTRY_RESOURCES[key] !== undefined ? key : pickCountry(key, localeCountry);
  const list =
    country === null ? fallbackFor(key) : withNotes(COUNTRY_RESOURCES[country] ?? [], country, language);
  return list.map((r) => ({ ...r }));
}

function canonicalRegion(region: string): string {
  const key = region.trim().toLowerCase();
  return REGION_ALIASES[key] ?? key;
}

function parseLocale(locale: string | undefined): [string, string] {
  if (locale === undefined) return ["", ""];
  const parts = locale.trim().toLowerCase().split(/[-_]/);
  const language = parts[0] ?? "";
  const country = parts.slice(1).find((p) => /^[a-z]{2}$/.test(p)) ?? "";
  return [language, REGION_ALIASES[country] ?? country];
}

/** A region key plus a locale country inside it ("eu" + "de-DE") resolves to that country. */
function pickCountry(regionKey: string, localeCountry: string): string | null {
  const region = REGION_RESOURCES[regionKey];
  if (region?.countries.includes(localeCountry) === true) return localeCountry;
  return null;
}

function fallbackFor(regionKey: string): readonly CrisisResource[] {
  return REGION_RESOURCES[regionKey]?.resources ?? [GENERIC_EMERGENCY, FIND_A_HELPLINE];
}

function withNotes(
  list: readonly CrisisResource[],
  country: string,
  language: string,
): readonly CrisisResource[] {
  const notes = LANGUAGE_NOTES[`${country}-${language}`];
  if (notes === undefined) return list;
  return list.map((r) => {
    const note = notes[r.name];
    if (note === undefined) return r;
    return { ...r, description: r.description === undefined ? note : `${r.description} ${note}` };
  });
}
