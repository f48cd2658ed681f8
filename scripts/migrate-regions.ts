/**
 * Applies the drizzle migrations to every residency region's database before a deploy, one
 * region after the other (the deploy waits for all three). Reads DATABASE_URL_US / _EU / _APAC
 * (direct, TLS connection strings of the environment being deployed) from the environment.
 *
 *   node --experimental-strip-types scripts/migrate-regions.ts
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "./local-stack/postgres.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const urls = {
  us: process.env.DATABASE_URL_US ?? "",
  eu: process.env.DATABASE_URL_EU ?? "",
  apac: process.env.DATABASE_URL_APAC ?? "",
};
const missing = Object.entries(urls)
  .filter(([, v]) => !v)
  .map(([k]) => `DATABASE_URL_${k.toUpperCase()}`);
if (missing.length > 0) {
  console.error(`migrate-regions: missing ${missing.join(", ")}`);
  process.exit(1);
}
await applyMigrations(urls, join(root, "migrations"));
console.log("migrate-regions: us, eu, apac up to date");
