-- Orders and their items. The schema enforces the domain invariants too:
-- status values, positive amounts, one line per product, subtotal = price x quantity, and
-- (checked at commit) total = sum of the items.
CREATE TABLE orders (
  id          uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  status      text NOT NULL CONSTRAINT orders_status_check CHECK (status IN
                ('Created', 'InventoryReserved', 'PaymentProcessing', 'Completed', 'Failed', 'Cancelled')),
  currency    char(3) NOT NULL CONSTRAINT orders_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  total_minor bigint NOT NULL CONSTRAINT orders_total_positive CHECK (total_minor > 0),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  version     bigint NOT NULL CONSTRAINT orders_version_positive CHECK (version > 0),
  CONSTRAINT orders_updated_after_created CHECK (updated_at >= created_at)
);
-- Lists: newest first, optionally by customer or by status (GetAll filters).
CREATE INDEX orders_created_idx ON orders (created_at DESC, id);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC, id);
CREATE INDEX orders_status_created_idx ON orders (status, created_at DESC, id);

CREATE TABLE order_items (
  order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line_no          integer NOT NULL CONSTRAINT order_items_line_no_check CHECK (line_no >= 0),
  product_id       uuid NOT NULL,
  quantity         integer NOT NULL CONSTRAINT order_items_quantity_check CHECK (quantity BETWEEN 1 AND 10000),
  unit_price_minor bigint NOT NULL CONSTRAINT order_items_price_positive CHECK (unit_price_minor > 0),
  subtotal_minor   bigint NOT NULL,
  PRIMARY KEY (order_id, line_no),
  CONSTRAINT order_items_one_line_per_product UNIQUE (order_id, product_id),
  CONSTRAINT order_items_subtotal_check CHECK (subtotal_minor = unit_price_minor * quantity)
);

CREATE FUNCTION orders_check_total() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target    uuid;
  expected  bigint;
  items_sum bigint;
BEGIN
  IF TG_TABLE_NAME = 'orders' THEN
    target := NEW.id;
  ELSIF TG_OP = 'DELETE' THEN
    target := OLD.order_id;
  ELSE
    target := NEW.order_id;
  END IF;
  SELECT total_minor INTO expected FROM orders WHERE id = target;
  IF NOT FOUND THEN
    RETURN NULL;  -- the order itself was deleted
  END IF;
  SELECT coalesce(sum(subtotal_minor), 0) INTO items_sum FROM order_items WHERE order_id = target;
  IF items_sum <> expected THEN
    RAISE EXCEPTION 'new row violates check constraint "orders_total_matches_items": order % total % <> items %',
      target, expected, items_sum
      USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_total_matches_items';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER orders_total_matches_items
  AFTER INSERT OR UPDATE ON orders DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION orders_check_total();
CREATE CONSTRAINT TRIGGER order_items_total_matches
  AFTER INSERT OR UPDATE OR DELETE ON order_items DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION orders_check_total();
