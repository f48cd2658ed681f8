CREATE TABLE "telemetry_hour" (
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"n" integer NOT NULL,
	"sum" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	CONSTRAINT "telemetry_hour_pk" PRIMARY KEY("user_id","type","bucket")
);
--> statement-breakpoint
CREATE TABLE "telemetry_minute" (
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"n" integer NOT NULL,
	"sum" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	CONSTRAINT "telemetry_minute_pk" PRIMARY KEY("user_id","type","bucket")
);
--> statement-breakpoint
CREATE TABLE "telemetry_readings" (
	"user_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"type" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	"stage" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "telemetry_readings_pk" PRIMARY KEY("device_id","type","ts")
);
--> statement-breakpoint
CREATE TABLE "wearable_devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"vendor" text NOT NULL,
	"model" text NOT NULL,
	"token_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"paired_via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "telemetry_hour" ADD CONSTRAINT "telemetry_hour_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telemetry_minute" ADD CONSTRAINT "telemetry_minute_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telemetry_readings" ADD CONSTRAINT "telemetry_readings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wearable_devices" ADD CONSTRAINT "wearable_devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "telemetry_readings_user_time_idx" ON "telemetry_readings" USING btree ("user_id","type","ts");--> statement-breakpoint
CREATE UNIQUE INDEX "wearable_devices_token_idx" ON "wearable_devices" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "wearable_devices_user_idx" ON "wearable_devices" USING btree ("user_id");