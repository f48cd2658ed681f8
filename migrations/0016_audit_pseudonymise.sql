-- Custom SQL migration file, put your code below! --
-- Erasure keeps the audit trail (chain intact) with the subject pseudonymised (GDPR Art. 17 with
-- HIPAA 164.312(b)). Rows written from now on (hash_version 2) commit their personal fields --
-- actor, patient, resource id, IP, user agent -- through a salted digest; the chain hash covers the
-- digest, not the fields. Pseudonymising replaces the subject's ids with a pseudonym, clears IP and
-- user agent of the subject's own actions and drops the salt: the chain still verifies, and the
-- digest can no longer confirm a guessed id. Rows written before this migration (hash_version 1)
-- hash the fields inline and cannot be pseudonymised without breaking the chain; erasure counts
-- and reports them instead.
CREATE OR REPLACE FUNCTION audit_personal_digest(r audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(json_build_array(
    r.personal_salt, r.actor_id, r.patient_id, r.resource_id, host(r.ip), r.user_agent
  )::text, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_row_hash(prev text, r audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN r.hash_version = 2 THEN
    encode(sha256(convert_to(json_build_array(
      'v2', prev, r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
      r.actor_role, r.action, r.resource_type, r.outcome, r.request_id, r.personal_digest
    )::text, 'UTF8')), 'hex')
  ELSE
    encode(sha256(convert_to(json_build_array(
      prev, r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
      r.actor_id, r.actor_role, r.action, r.resource_type, r.resource_id, r.patient_id,
      r.outcome, r.request_id, host(r.ip), r.user_agent
    )::text, 'UTF8')), 'hex')
  END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_chain_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(727001);
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  SELECT hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(last_hash, '');
  NEW.hash_version := 2;
  NEW.personal_salt := gen_random_uuid()::text;
  NEW.pseudonymised_at := NULL;
  NEW.personal_digest := audit_personal_digest(NEW);
  NEW.hash := audit_row_hash(NEW.prev_hash, NEW);
  RETURN NEW;
END
$$;
--> statement-breakpoint
-- Still append-only: the one permitted UPDATE is pseudonymisation of a v2 row, inside
-- audit_pseudonymise() (which sets the transaction-local flag), changing only personal fields.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND coalesce(current_setting('haven.audit_pseudonymise', true), '') = 'on'
     AND OLD.hash_version = 2 AND NEW.hash_version = 2
     AND NEW.id = OLD.id AND NEW.at = OLD.at
     AND NEW.actor_role IS NOT DISTINCT FROM OLD.actor_role
     AND NEW.action = OLD.action AND NEW.resource_type = OLD.resource_type
     AND NEW.outcome = OLD.outcome
     AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
     AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
     AND NEW.personal_digest IS NOT DISTINCT FROM OLD.personal_digest
     AND NEW.personal_salt IS NULL AND NEW.pseudonymised_at IS NOT NULL
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
-- Replaces `subject` by `pseudonym` in every v2 row about or by the subject; returns the count.
CREATE OR REPLACE FUNCTION audit_pseudonymise(subject uuid, pseudonym uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  PERFORM set_config('haven.audit_pseudonymise', 'on', true);
  UPDATE audit_log SET
    patient_id = CASE WHEN patient_id = subject THEN pseudonym ELSE patient_id END,
    resource_id = CASE WHEN resource_id = subject::text THEN pseudonym::text ELSE resource_id END,
    ip = CASE WHEN actor_id = subject THEN NULL ELSE ip END,
    user_agent = CASE WHEN actor_id = subject THEN NULL ELSE user_agent END,
    actor_id = CASE WHEN actor_id = subject THEN pseudonym ELSE actor_id END,
    personal_salt = NULL,
    pseudonymised_at = now()
  WHERE hash_version = 2
    AND (patient_id = subject OR actor_id = subject OR resource_id = subject::text);
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('haven.audit_pseudonymise', 'off', true);
  RETURN n;
END
$$;
--> statement-breakpoint
-- The first row whose link, hash or (for rows not yet pseudonymised) personal digest does not
-- verify, or nothing when the chain is intact.
CREATE OR REPLACE FUNCTION audit_verify_chain() RETURNS TABLE (broken_id bigint, problem text)
LANGUAGE sql STABLE AS $$
  SELECT id, CASE WHEN prev_hash <> expected_prev THEN 'link' ELSE 'hash' END
  FROM (
    SELECT a.id, a.prev_hash, a.hash,
           lag(a.hash, 1, '') OVER (ORDER BY a.id) AS expected_prev,
           audit_row_hash(a.prev_hash, a) AS recomputed,
           (a.hash_version = 2 AND a.personal_salt IS NOT NULL
             AND a.personal_digest IS DISTINCT FROM audit_personal_digest(a)) AS bad_digest
    FROM audit_log a
  ) chain
  WHERE prev_hash <> expected_prev OR hash <> recomputed OR bad_digest
  ORDER BY id
  LIMIT 1
$$;
