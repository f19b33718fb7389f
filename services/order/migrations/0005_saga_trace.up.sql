-- The W3C traceparent of the request that started each saga: every message of the saga carries
-- its trace id, so one trace spans the saga across the three services. Sagas started before
-- this migration get one derived from their id when they next send something.
ALTER TABLE sagas ADD COLUMN traceparent text NOT NULL DEFAULT ''
  CONSTRAINT sagas_traceparent_check CHECK (traceparent = '' OR traceparent ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
