-- Idempotency keys of POST requests (Idempotency-Key header): the first answer is kept and
-- replayed to retries for `ttl` (24 h by default). `resource_id` is the id the first attempt
-- chose for what it creates, so an attempt cut short by a crash is finished, not doubled.
CREATE TABLE idempotency_keys (
  client_id     text NOT NULL CONSTRAINT idempotency_keys_client_check CHECK (char_length(client_id) <= 200),
  operation     text NOT NULL,
  key           text NOT NULL CONSTRAINT idempotency_keys_key_check CHECK (char_length(key) BETWEEN 1 AND 255),
  request_hash  text NOT NULL,
  resource_id   uuid NOT NULL,
  status_code   integer CONSTRAINT idempotency_keys_status_check CHECK (status_code BETWEEN 100 AND 599),
  content_type  text,
  location      text,
  etag          text,
  response_body text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (client_id, operation, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
