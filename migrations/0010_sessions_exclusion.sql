-- Custom SQL migration file, put your code below! --
-- No double booking, enforced by Postgres: two held slots of one clinician can never overlap,
-- however many requests race (SQLSTATE 23P01 for the loser). btree_gist gives uuid its = for GiST.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "session_slots" ADD CONSTRAINT "session_slots_no_overlap"
  EXCLUDE USING gist ("clinician_id" WITH =, "during" WITH &&) WHERE ("held");
--> statement-breakpoint
ALTER TABLE "session_slots" ADD CONSTRAINT "session_slots_bounded"
  CHECK (NOT isempty("during") AND NOT lower_inf("during") AND NOT upper_inf("during"));
--> statement-breakpoint
ALTER TABLE "therapy_sessions" ADD CONSTRAINT "therapy_sessions_order" CHECK ("ends_at" > "starts_at");
--> statement-breakpoint
-- A signed note is locked: no UPDATE changes it (changes are addenda). Deletes stay possible so
-- erasing a patient's data (ON DELETE CASCADE) still works.
CREATE FUNCTION session_note_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'signed' THEN
    RAISE EXCEPTION 'signed note % is locked', OLD.id USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER session_notes_locked BEFORE UPDATE ON "session_notes" FOR EACH ROW EXECUTE FUNCTION session_note_locked();
--> statement-breakpoint
CREATE FUNCTION session_addendum_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'addenda are never edited' USING ERRCODE = '55000';
END
$$;
--> statement-breakpoint
CREATE TRIGGER session_note_addenda_immutable BEFORE UPDATE ON "session_note_addenda" FOR EACH ROW EXECUTE FUNCTION session_addendum_immutable();
