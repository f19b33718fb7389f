-- Catalogue, stock and reservations. The schema enforces the domain invariants too:
-- unique SKU in its format, positive prices, 0 <= reserved <= quantity, one reservation per
-- order and product, known statuses.
CREATE TABLE products (
  id          uuid PRIMARY KEY,
  name        text NOT NULL CONSTRAINT products_name_check
                CHECK (char_length(name) BETWEEN 1 AND 200 AND btrim(name, E' \t') <> ''),
  sku         text NOT NULL CONSTRAINT products_sku_key UNIQUE
                CONSTRAINT products_sku_format CHECK (char_length(sku) BETWEEN 3 AND 64 AND sku ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$'),
  currency    char(3) NOT NULL CONSTRAINT products_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  price_minor bigint NOT NULL CONSTRAINT products_price_positive CHECK (price_minor > 0),
  created_at  timestamptz NOT NULL
);
CREATE INDEX products_created_idx ON products (created_at, id);

CREATE TABLE inventory_items (
  id                  uuid PRIMARY KEY,
  product_id          uuid NOT NULL CONSTRAINT inventory_items_product_key UNIQUE
                        REFERENCES products (id) ON DELETE RESTRICT,
  quantity            bigint NOT NULL,
  reserved            bigint NOT NULL,
  low_stock_threshold bigint NOT NULL DEFAULT 10 CONSTRAINT inventory_items_threshold_check
                        CHECK (low_stock_threshold >= 0),
  last_updated        timestamptz NOT NULL,
  version             bigint NOT NULL CONSTRAINT inventory_items_version_positive CHECK (version > 0),
  CONSTRAINT inventory_items_reserved_range CHECK (0 <= reserved AND reserved <= quantity)
);
-- Low-stock lists: available = quantity - reserved.
CREATE INDEX inventory_items_available_idx ON inventory_items ((quantity - reserved), product_id);

CREATE TABLE reservations (
  id         uuid PRIMARY KEY,
  order_id   uuid NOT NULL,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
  quantity   bigint NOT NULL CONSTRAINT reservations_quantity_positive CHECK (quantity > 0),
  status     text NOT NULL CONSTRAINT reservations_status_check
               CHECK (status IN ('Active', 'Committed', 'Released', 'Expired')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  CONSTRAINT reservations_order_product_key UNIQUE (order_id, product_id),
  CONSTRAINT reservations_expiry_after_creation CHECK (expires_at > created_at)
);
-- The expiry sweeper looks only at active reservations.
CREATE INDEX reservations_active_expiry_idx ON reservations (expires_at) WHERE status = 'Active';
