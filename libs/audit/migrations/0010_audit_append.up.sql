-- Appending to the audit trail in one statement (libs/audit AppendAudit): the chain's lock, the
-- head's read, each entry's hash and insert run here, so a group of entries costs one round trip
-- and one autocommitted transaction instead of five statements.
--
-- The hash is the one AuditHash computes in C++ (VerifyAudit checks it): SHA-256, in lowercase
-- hex, of the compact JSON array [seq, at in Unix microseconds, actor, action, resource, outcome,
-- remote, correlation_id, detail, prev_hash]. to_json(text) escapes a string as nlohmann::json's
-- dump() does (", \, \b \f \n \r \t, other characters below U+0020 as \u00xx in lowercase hex,
-- everything else as is, in UTF-8); audit_log_pgtest holds both to the same hashes.
--
-- The same advisory lock as before serialises appenders, so that each reads the head that the
-- previous one committed: in READ COMMITTED each statement of this (volatile) function takes a
-- new snapshot, after the lock is granted. Returns the seq of the last entry appended.
--
-- The time is stored exactly as hashed: seconds and microseconds apart, as bigint * interval goes
-- through a double, which rounds beyond 2^53 microseconds (the year 2255).
CREATE FUNCTION audit_append(p_at bigint[], p_actor text[], p_action text[], p_resource text[],
                             p_outcome text[], p_remote text[], p_correlation_id text[],
                             p_detail text[])
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n         integer := coalesce(array_length(p_at, 1), 0);
  last_seq  bigint;
  last_hash text;
  next_hash text;
BEGIN
  IF n = 0 THEN
    RAISE EXCEPTION 'audit_append: no entries' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF array_length(p_actor, 1) IS DISTINCT FROM n OR array_length(p_action, 1) IS DISTINCT FROM n
     OR array_length(p_resource, 1) IS DISTINCT FROM n OR array_length(p_outcome, 1) IS DISTINCT FROM n
     OR array_length(p_remote, 1) IS DISTINCT FROM n
     OR array_length(p_correlation_id, 1) IS DISTINCT FROM n
     OR array_length(p_detail, 1) IS DISTINCT FROM n THEN
    RAISE EXCEPTION 'audit_append: the arrays differ in length' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(1516898829);  -- 0x5A6A0A0D, the chain's append lock
  SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    last_seq := 0;
    last_hash := repeat('0', 64);
  END IF;
  FOR i IN 1 .. n LOOP
    last_seq := last_seq + 1;
    next_hash := encode(sha256(convert_to(
        '[' || last_seq::text || ',' || p_at[i]::text || ',' || to_json(p_actor[i])::text || ','
        || to_json(p_action[i])::text || ',' || to_json(p_resource[i])::text || ','
        || to_json(p_outcome[i])::text || ',' || to_json(p_remote[i])::text || ','
        || to_json(p_correlation_id[i])::text || ',' || to_json(p_detail[i])::text || ','
        || to_json(last_hash)::text || ']', 'UTF8')), 'hex');
    INSERT INTO audit_log (seq, at, actor, action, resource, outcome, remote, correlation_id, detail,
                           prev_hash, hash)
    VALUES (last_seq, timestamptz 'epoch' + (p_at[i] / 1000000) * interval '1 second'
                       + (p_at[i] % 1000000) * interval '1 microsecond', p_actor[i], p_action[i],
            p_resource[i], p_outcome[i], p_remote[i], p_correlation_id[i], p_detail[i], last_hash,
            next_hash);
    last_hash := next_hash;
  END LOOP;
  RETURN last_seq;
END
$$;
