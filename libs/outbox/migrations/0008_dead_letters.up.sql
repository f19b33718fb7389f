-- Dead letters as operators handle them (libs/outbox/dead_letters.hpp), shared by every service
-- as its migration 8. ReliableConsumer records each message here (ON CONFLICT DO NOTHING: a
-- redelivered message is recorded once) before it sends it to "<topic>.dlq"; operators list,
-- show, replay (through the outbox, so the replay commits with its status change) or discard it.
CREATE TABLE dead_letters (
  id            bigserial PRIMARY KEY,
  consumer      text NOT NULL,
  topic         text NOT NULL,
  dlq_topic     text NOT NULL,
  partition     integer NOT NULL,
  "offset"      bigint NOT NULL,
  message_key   text,
  message_id    text,
  message_type  text,
  -- The message as received: text, or base64url when it was not valid UTF-8 (payload_base64).
  payload       text NOT NULL,
  payload_base64 boolean NOT NULL DEFAULT false,
  headers       jsonb NOT NULL DEFAULT '{}'::jsonb,
  reason        text NOT NULL,
  attempts      integer NOT NULL CONSTRAINT dead_letters_attempts_check CHECK (attempts >= 0),
  failed_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  status        text NOT NULL DEFAULT 'pending'
                CONSTRAINT dead_letters_status_check CHECK (status IN ('pending', 'replayed', 'discarded')),
  resolved_at   timestamptz,
  resolved_by   text,
  resolution    text,
  CONSTRAINT dead_letters_source_key UNIQUE (consumer, topic, partition, "offset"),
  CONSTRAINT dead_letters_resolved_check CHECK ((status = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX dead_letters_status_idx ON dead_letters (status, topic, id);
