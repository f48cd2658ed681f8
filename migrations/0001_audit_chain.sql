-- Custom SQL migration file, put your code below! --
-- The audit log is append-only and hash-chained.
-- audit_row_hash() is the ONE definition of a row's hash, used by the insert trigger and by the
-- verifier, so the two can never disagree about the canonical form.
CREATE FUNCTION audit_row_hash(prev text, r audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(json_build_array(
    prev, r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    r.actor_id, r.actor_role, r.action, r.resource_type, r.resource_id, r.patient_id,
    r.outcome, r.request_id, host(r.ip), r.user_agent
  )::text, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- Under one advisory lock: take the next id, link to the previous row, compute the hash. The lock
-- is held to commit, so ids, chain order and commit order agree even under concurrent inserts.
CREATE FUNCTION audit_chain_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(727001);
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  SELECT hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(last_hash, '');
  NEW.hash := audit_row_hash(NEW.prev_hash, NEW);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain_before_insert();
--> statement-breakpoint
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
-- Returns the first row whose link or hash does not verify, or nothing when the chain is intact.
CREATE FUNCTION audit_verify_chain() RETURNS TABLE (broken_id bigint, problem text)
LANGUAGE sql STABLE AS $$
  SELECT id, CASE WHEN prev_hash <> expected_prev THEN 'link' ELSE 'hash' END
  FROM (
    SELECT a.id, a.prev_hash, a.hash,
           lag(a.hash, 1, '') OVER (ORDER BY a.id) AS expected_prev,
           audit_row_hash(a.prev_hash, a) AS recomputed
    FROM audit_log a
  ) chain
  WHERE prev_hash <> expected_prev OR hash <> recomputed
  ORDER BY id
  LIMIT 1
$$;
