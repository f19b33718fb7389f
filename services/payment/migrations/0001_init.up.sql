-- Payments. The schema enforces the domain invariants too: positive amounts, known statuses,
-- a unique gateway transaction id that completed and refunded payments must have, and at most
-- one payment per order that is not Failed (so an order is never charged twice).
CREATE TABLE payments (
  id             uuid PRIMARY KEY,
  order_id       uuid NOT NULL,
  currency       char(3) NOT NULL CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor   bigint NOT NULL CONSTRAINT payments_amount_positive CHECK (amount_minor > 0),
  status         text NOT NULL CONSTRAINT payments_status_check
                   CHECK (status IN ('Pending', 'Processing', 'Completed', 'Failed', 'Refunded')),
  transaction_id text CONSTRAINT payments_transaction_id_key UNIQUE
                   CONSTRAINT payments_transaction_id_check
                   CHECK (transaction_id IS NULL OR char_length(transaction_id) BETWEEN 1 AND 128),
  processed_at   timestamptz,
  failure_reason text CONSTRAINT payments_failure_reason_check
                   CHECK (failure_reason IS NULL OR char_length(failure_reason) <= 500),
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  version        bigint NOT NULL CONSTRAINT payments_version_positive CHECK (version > 0),
  CONSTRAINT payments_transaction_required
    CHECK (status NOT IN ('Completed', 'Refunded') OR transaction_id IS NOT NULL)
);
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id) WHERE status <> 'Failed';
CREATE INDEX payments_order_idx ON payments (order_id, created_at DESC);
CREATE INDEX payments_status_created_idx ON payments (status, created_at DESC, id);
CREATE INDEX payments_created_idx ON payments (created_at DESC, id);
