-- The OrderCreationSaga: one instance per order, and its timeline. A transition of a saga, the
-- order's status, the outbox rows it sends and the inbox record of the reply that caused it
-- commit in one transaction.
CREATE TABLE sagas (
  id                    uuid PRIMARY KEY,
  order_id              uuid NOT NULL CONSTRAINT sagas_order_key UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
  definition            text NOT NULL DEFAULT 'OrderCreationSaga',
  definition_version    integer NOT NULL CONSTRAINT sagas_definition_version_check CHECK (definition_version > 0),
  state                 text NOT NULL CONSTRAINT sagas_state_check CHECK (state IN
                          ('ReservingInventory', 'ProcessingPayment', 'CommittingInventory', 'Completed',
                           'RefundingPayment', 'ReleasingInventory', 'Failed', 'Cancelled', 'CompensationFailed')),
  target                text CONSTRAINT sagas_target_check CHECK (target IS NULL OR target IN ('Failed', 'Cancelled')),
  outcome               text NOT NULL DEFAULT '',
  payment_token         text NOT NULL CONSTRAINT sagas_payment_token_check CHECK (char_length(payment_token) BETWEEN 1 AND 64),
  correlation_id        text NOT NULL,
  deadline              timestamptz,
  step_attempts         integer NOT NULL DEFAULT 0 CONSTRAINT sagas_step_attempts_check CHECK (step_attempts >= 0),
  compensation_attempts integer NOT NULL DEFAULT 0 CONSTRAINT sagas_compensation_attempts_check CHECK (compensation_attempts >= 0),
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  version               bigint NOT NULL CONSTRAINT sagas_version_positive CHECK (version > 0),
  -- Only running steps wait for something.
  CONSTRAINT sagas_deadline_while_running CHECK ((deadline IS NULL) =
    (state IN ('Completed', 'Failed', 'Cancelled', 'CompensationFailed')))
);
-- The sweeper: due deadlines first.
CREATE INDEX sagas_deadline_idx ON sagas (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX sagas_state_idx ON sagas (state, updated_at);

CREATE TABLE saga_log (
  id           bigserial PRIMARY KEY,
  saga_id      uuid NOT NULL REFERENCES sagas (id) ON DELETE CASCADE,
  at           timestamptz NOT NULL,
  kind         text NOT NULL CONSTRAINT saga_log_kind_check CHECK (kind IN
                 ('started', 'transition', 'command', 'event', 'ignored', 'deadline', 'cancel')),
  from_state   text NOT NULL DEFAULT '',
  to_state     text NOT NULL DEFAULT '',
  message_type text NOT NULL DEFAULT '',
  message_id   uuid,
  detail       text NOT NULL DEFAULT ''
);
CREATE INDEX saga_log_saga_idx ON saga_log (saga_id, id);
