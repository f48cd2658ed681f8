import { defineConfig } from "drizzle-kit";

/** `npm run db:generate` writes SQL migrations from the schema; nothing else writes migrations/. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./workers/db/schema/index.ts",
  out: "./migrations",
  casing: "snake_case",
});
