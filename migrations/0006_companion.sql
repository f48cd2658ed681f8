CREATE TABLE "ai_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid,
	"purpose" text NOT NULL,
	"model" text NOT NULL,
	"prompt_version" text NOT NULL,
	"tokens_in" integer,
	"tokens_out" integer,
	"latency_ms" integer NOT NULL,
	"outcome" text NOT NULL,
	"safety" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"grounding" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "companion_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"helpful" boolean NOT NULL,
	"reason" text,
	"library_slug" text,
	"prompt_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "library_vectors" (
	"slug" text NOT NULL,
	"model" text NOT NULL,
	"version" integer NOT NULL,
	"dims" integer NOT NULL,
	"embedding" double precision[] NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "library_vectors_slug_model_pk" PRIMARY KEY("slug","model")
);
--> statement-breakpoint
ALTER TABLE "ai_calls" ADD CONSTRAINT "ai_calls_patient_id_users_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "companion_feedback" ADD CONSTRAINT "companion_feedback_patient_id_users_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ai_calls_patient_idx" ON "ai_calls" USING btree ("patient_id","created_at");--> statement-breakpoint
CREATE INDEX "ai_calls_time_idx" ON "ai_calls" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "companion_feedback_reply_idx" ON "companion_feedback" USING btree ("patient_id","seq");