ALTER TABLE "medications" ADD COLUMN "reminder_times" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "medications" ADD COLUMN "reminder_time_zone" text;--> statement-breakpoint
CREATE INDEX "notification_deliveries_provider_idx" ON "notification_deliveries" USING btree ("channel","provider_message_id");