-- Custom SQL migration file, put your code below! --
-- Raw telemetry is partitioned by month on the reading's time, so the retention job drops whole
-- months (no bulk DELETE, no bloat) and per-user range reads touch only the months asked for.
-- The table drizzle created in the previous migration is empty; it is replaced by a partitioned
-- table of the same shape (same column names, key and index names), so drizzle's view holds.
DROP TABLE IF EXISTS "telemetry_readings";
--> statement-breakpoint
CREATE TABLE "telemetry_readings" (
	"user_id" uuid NOT NULL REFERENCES "public"."users"("id") ON DELETE cascade,
	"device_id" uuid NOT NULL,
	"type" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	"stage" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "telemetry_readings_pk" PRIMARY KEY("device_id","type","ts")
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
CREATE INDEX "telemetry_readings_user_time_idx" ON "telemetry_readings" USING btree ("user_id","type","ts");
--> statement-breakpoint
-- Catches anything outside the monthly partitions (a clock far off): nothing is ever refused.
CREATE TABLE IF NOT EXISTS "telemetry_readings_default" PARTITION OF "telemetry_readings" DEFAULT;
--> statement-breakpoint
-- Creates the month partitions from `from_month` for `months` months (idempotent). Called here and
-- by the daily retention job, which keeps three months ahead. UTC month boundaries.
CREATE OR REPLACE FUNCTION telemetry_ensure_partitions(from_month date, months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  m date;
  made integer := 0;
  name text;
BEGIN
  FOR i IN 0 .. months - 1 LOOP
    m := (date_trunc('month', from_month) + make_interval(months => i))::date;
    name := 'telemetry_readings_' || to_char(m, 'YYYYMM');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF telemetry_readings FOR VALUES FROM (%L) TO (%L)',
        name, (m::timestamp AT TIME ZONE 'UTC'), ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
      made := made + 1;
    END IF;
  END LOOP;
  RETURN made;
END
$$;
--> statement-breakpoint
-- Drops month partitions that end before `before` (whole months only); returns how many.
CREATE OR REPLACE FUNCTION telemetry_drop_partitions_before(before timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped integer := 0;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'telemetry_readings' AND c.relname ~ '^telemetry_readings_[0-9]{6}$'
  LOOP
    IF ((to_date(substr(part.relname, 20, 6), 'YYYYMM') + interval '1 month')::timestamp AT TIME ZONE 'UTC') <= before THEN
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END
$$;
--> statement-breakpoint
SELECT telemetry_ensure_partitions((now() - interval '2 months')::date, 6);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "telemetry_hour_time_idx" ON "telemetry_hour" USING btree ("bucket");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "telemetry_minute_time_idx" ON "telemetry_minute" USING btree ("bucket");
