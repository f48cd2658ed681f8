CREATE TABLE "assessment_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"clinician_id" uuid NOT NULL,
	"instrument" text NOT NULL,
	"cadence_days" integer NOT NULL,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "assessment_assignments_cadence_range" CHECK ("assessment_assignments"."cadence_days" between 1 and 365)
);
--> statement-breakpoint
CREATE TABLE "assessment_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"seq" integer DEFAULT nextval('screener_responses_seq_seq') NOT NULL,
	"instrument" text NOT NULL,
	"version" text NOT NULL,
	"total" integer NOT NULL,
	"band" text NOT NULL,
	"item9" integer,
	"safety_flag" boolean DEFAULT false NOT NULL,
	"previous_total" integer,
	"change" text,
	"response" boolean,
	"remission" boolean,
	"answers_enc" text NOT NULL,
	"assignment_id" uuid,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assessment_responses_total_range" CHECK ("assessment_responses"."total" between 0 and 100),
	CONSTRAINT "assessment_responses_item9_range" CHECK ("assessment_responses"."item9" is null or "assessment_responses"."item9" between 0 and 3)
);
--> statement-breakpoint
ALTER TABLE "assessment_assignments" ADD CONSTRAINT "assessment_assignments_patient_id_users_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_responses" ADD CONSTRAINT "assessment_responses_patient_id_users_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_assignments_open_idx" ON "assessment_assignments" USING btree ("patient_id","instrument") WHERE "assessment_assignments"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "assessment_assignments_clinician_idx" ON "assessment_assignments" USING btree ("clinician_id");--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_responses_seq_idx" ON "assessment_responses" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "assessment_responses_patient_idx" ON "assessment_responses" USING btree ("patient_id","instrument","submitted_at");