-- Custom SQL migration file, put your code below! --
-- Audit retention (7 years) with the chain still verifiable. Pruning deletes a PREFIX of the chain
-- (rows in id order, never one in the middle) and, in the same transaction, writes a checkpoint:
-- the hash of the last pruned row, its id and time, how many were pruned. Verification starts at
-- the latest checkpoint: the first remaining row must link to its hash. The checkpoint carries an
-- HMAC computed in the Worker (the key is not in the database), checked by the Worker and by
-- scripts/audit-verify.ts; this file checks everything that needs no key.

-- Canonical text of a timestamp in checkpoints (microseconds, UTC), the same in SQL and in the MAC.
CREATE OR REPLACE FUNCTION audit_ts_text(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_checkpoints_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse_change();
--> statement-breakpoint
-- Still append-only. Two exceptions, each only inside its function (transaction-local flag):
-- pseudonymisation of a v2 row (audit_pseudonymise), and deleting rows up to the frontier that
-- audit_prune() has just checkpointed.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND coalesce(current_setting('haven.audit_prune_through', true), '') <> ''
     AND OLD.id <= current_setting('haven.audit_prune_through', true)::bigint
  THEN
    RETURN OLD;
  END IF;
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
-- The first row whose link, hash or (for rows not yet pseudonymised) personal digest does not
-- verify, or nothing when the chain is intact. The chain starts at the latest checkpoint: the
-- first remaining row must link to the hash of the last pruned row. A checkpoint with no row after
-- it (the prune always keeps the newest row) reports 'truncated'.
CREATE OR REPLACE FUNCTION audit_verify_chain() RETURNS TABLE (broken_id bigint, problem text)
LANGUAGE sql STABLE AS $$
  WITH cp AS (
    SELECT coalesce((SELECT through_id FROM audit_checkpoints ORDER BY seq DESC LIMIT 1), 0) AS through_id,
           coalesce((SELECT through_hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1), '') AS through_hash
  )
  SELECT * FROM (
    SELECT id, CASE WHEN prev_hash <> expected_prev THEN 'link' ELSE 'hash' END
    FROM (
      SELECT a.id, a.prev_hash, a.hash,
             lag(a.hash, 1, (SELECT through_hash FROM cp)) OVER (ORDER BY a.id) AS expected_prev,
             audit_row_hash(a.prev_hash, a) AS recomputed,
             (a.hash_version = 2 AND a.personal_salt IS NOT NULL
               AND a.personal_digest IS DISTINCT FROM audit_personal_digest(a)) AS bad_digest
      FROM audit_log a
      WHERE a.id > (SELECT through_id FROM cp)
    ) chain
    WHERE prev_hash <> expected_prev OR hash <> recomputed OR bad_digest
    UNION ALL
    SELECT cp.through_id, 'truncated' FROM cp
    WHERE cp.through_id > 0 AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id > cp.through_id)
  ) found
  ORDER BY 1
  LIMIT 1
$$;
--> statement-breakpoint
-- What the next prune may remove at `p_cutoff`: the longest prefix of the chain (at most p_limit
-- rows) whose rows are all older than the cut-off, that stops before the first row naming a
-- subject under an active legal hold, and that keeps the newest row. Always one row: through_id
-- is NULL when nothing can go; `stop_reason` says what ended the prefix.
CREATE OR REPLACE FUNCTION audit_prune_plan(p_cutoff timestamptz, p_limit integer)
RETURNS TABLE (through_id bigint, through_hash text, through_at text, n bigint, stop_reason text,
               prev_seq bigint, prev_mac text, prev_total bigint, past_policy bigint)
LANGUAGE sql STABLE AS $$
  WITH bounds AS (
    SELECT (SELECT min(id) FROM audit_log WHERE at >= p_cutoff) AS in_policy,
           (SELECT min(a.id) FROM audit_log a
              WHERE a.at < p_cutoff AND EXISTS (
                SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL
                  AND (h.patient_id = a.patient_id OR h.patient_id = a.actor_id
                       OR h.patient_id::text = a.resource_id))) AS held,
           (SELECT max(id) FROM audit_log) AS newest
  ), stop AS (
    SELECT least(in_policy, held, newest) AS stop_id,
           CASE WHEN held IS NOT NULL AND held = least(in_policy, held, newest) THEN 'legal_hold'
                WHEN in_policy IS NOT NULL AND in_policy = least(in_policy, newest) THEN 'in_policy'
                ELSE 'newest_row' END AS reason
    FROM bounds
  ), prefix AS (
    SELECT a.id, a.hash, a.at FROM audit_log a, stop WHERE a.id < stop.stop_id ORDER BY a.id LIMIT p_limit
  ), last AS (
    SELECT (SELECT count(*) FROM prefix) AS n, p.id, p.hash, p.at FROM prefix p ORDER BY p.id DESC LIMIT 1
  ), latest AS (
    SELECT seq, mac, pruned_total FROM audit_checkpoints ORDER BY seq DESC LIMIT 1
  )
  SELECT last.id, last.hash, audit_ts_text(last.at), coalesce(last.n, 0),
         CASE WHEN last.n = p_limit THEN 'limit' ELSE stop.reason END,
         coalesce((SELECT seq FROM latest), 0), coalesce((SELECT mac FROM latest), ''),
         coalesce((SELECT pruned_total FROM latest), 0),
         (SELECT count(*) FROM audit_log WHERE at < p_cutoff)
  FROM stop LEFT JOIN last ON true
$$;
--> statement-breakpoint
-- Prunes the prefix the plan described and writes its checkpoint, in one transaction under the
-- chain's lock. Every precondition is checked again here (the plan was read earlier, outside this
-- transaction): same latest checkpoint, the last row still has the planned hash, exactly p_count
-- rows up to it, all older than the cut-off, none naming a held subject, the newest row kept, and
-- the pruned part verifies and links to what stays (a broken chain is never pruned: that would
-- destroy the evidence).
CREATE OR REPLACE FUNCTION audit_prune(
  p_region text, p_through_id bigint, p_through_hash text, p_count bigint, p_cutoff timestamptz,
  p_prev_seq bigint, p_key_id text, p_mac text
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  latest audit_checkpoints;
  last_row audit_log;
  newest bigint;
  n bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(727001);
  SELECT * INTO latest FROM audit_checkpoints ORDER BY seq DESC LIMIT 1;
  IF coalesce(latest.seq, 0) <> p_prev_seq THEN
    RAISE EXCEPTION 'audit_prune: the latest checkpoint changed' USING ERRCODE = 'serialization_failure';
  END IF;
  SELECT * INTO last_row FROM audit_log WHERE id = p_through_id;
  SELECT max(id) INTO newest FROM audit_log;
  SELECT count(*) INTO n FROM audit_log WHERE id <= p_through_id;
  IF last_row.id IS NULL OR last_row.hash <> p_through_hash OR n <> p_count OR p_through_id >= newest
     OR EXISTS (SELECT 1 FROM audit_log WHERE id <= p_through_id AND at >= p_cutoff)
     OR EXISTS (SELECT 1 FROM audit_log a WHERE a.id <= p_through_id AND EXISTS (
          SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL
            AND (h.patient_id = a.patient_id OR h.patient_id = a.actor_id OR h.patient_id::text = a.resource_id)))
  THEN
    RAISE EXCEPTION 'audit_prune: the plan no longer holds' USING ERRCODE = 'serialization_failure';
  END IF;
  -- The prefix about to go, and the link of the first row that stays, must verify (O(batch)).
  IF EXISTS (
    SELECT 1 FROM (
      SELECT a.prev_hash, a.hash,
             lag(a.hash, 1, coalesce(latest.through_hash, '')) OVER (ORDER BY a.id) AS expected_prev,
             audit_row_hash(a.prev_hash, a) AS recomputed,
             (a.hash_version = 2 AND a.personal_salt IS NOT NULL
               AND a.personal_digest IS DISTINCT FROM audit_personal_digest(a)) AS bad_digest
      FROM audit_log a
      WHERE a.id <= (SELECT min(b.id) FROM audit_log b WHERE b.id > p_through_id)
    ) chain
    WHERE prev_hash <> expected_prev OR hash <> recomputed OR bad_digest
  ) THEN
    RAISE EXCEPTION 'audit_prune: the chain does not verify; nothing pruned' USING ERRCODE = 'data_corrupted';
  END IF;
  INSERT INTO audit_checkpoints (seq, region, through_id, through_hash, through_at, pruned, pruned_total,
                                 cutoff, prev_mac, key_id, mac)
  VALUES (p_prev_seq + 1, p_region, p_through_id, p_through_hash, last_row.at, n,
          coalesce(latest.pruned_total, 0) + n, p_cutoff, coalesce(latest.mac, ''), p_key_id, p_mac);
  PERFORM set_config('haven.audit_prune_through', p_through_id::text, true);
  DELETE FROM audit_log WHERE id <= p_through_id;
  PERFORM set_config('haven.audit_prune_through', '', true);
  RETURN n;
END
$$;
