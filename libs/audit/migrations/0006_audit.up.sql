-- The append-only, hash-chained audit trail (libs/audit). Each row carries the SHA-256 of the
-- previous row's hash and its own content, so a changed, deleted or reordered entry breaks the
-- chain (`sagactl audit verify`). UPDATE, DELETE and TRUNCATE are refused by triggers; someone
-- who drops the triggers still cannot rewrite history without the chain showing it.
CREATE TABLE audit_log (
  seq            bigint PRIMARY KEY CONSTRAINT audit_log_seq_positive CHECK (seq > 0),
  at             timestamptz NOT NULL,
  actor          text NOT NULL,
  action         text NOT NULL CONSTRAINT audit_log_action_check CHECK (char_length(action) BETWEEN 1 AND 100),
  resource       text NOT NULL,
  outcome        text NOT NULL,
  remote         text NOT NULL,
  correlation_id text NOT NULL,
  detail         text NOT NULL,
  prev_hash      char(64) NOT NULL,
  hash           char(64) NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
