-- Transactional outbox and inbox (libs/outbox), shared by every service as its migration 2.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  message_id   uuid NOT NULL CONSTRAINT outbox_message_id_key UNIQUE,
  topic        text NOT NULL CONSTRAINT outbox_topic_check CHECK (char_length(topic) BETWEEN 1 AND 249),
  message_key  text NOT NULL,
  payload      text NOT NULL,
  headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at timestamptz,
  attempts     integer NOT NULL DEFAULT 0 CONSTRAINT outbox_attempts_check CHECK (attempts >= 0),
  last_error   text
);
-- The relay reads pending rows in id order; health reads the oldest pending row.
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;
-- Retention sweeps of published rows.
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Messages already handled by a consumer: the effect and this row commit together, so a
-- redelivered message finds its row and has no second effect.
CREATE TABLE inbox (
  consumer     text NOT NULL,
  message_id   uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (consumer, message_id)
);
CREATE INDEX inbox_processed_idx ON inbox (processed_at);
