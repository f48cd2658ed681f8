CREATE TABLE "audit_checkpoints" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"region" text NOT NULL,
	"through_id" bigint NOT NULL,
	"through_hash" text NOT NULL,
	"through_at" timestamp (6) with time zone NOT NULL,
	"pruned" bigint NOT NULL,
	"pruned_total" bigint NOT NULL,
	"cutoff" timestamp (6) with time zone NOT NULL,
	"prev_mac" text NOT NULL,
	"key_id" text NOT NULL,
	"mac" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
