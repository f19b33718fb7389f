-- The inventory as a saga participant: a committed sale can be given back ('Returned', when the
-- saga compensates after the commit), and every stock row keeps a ledger so that units never
-- appear or vanish unaccounted: quantity = received - sold, where `received` counts every unit
-- that came in (initial stock, restocks, stock-count deltas) and `sold` the units sold, net of
-- returns. Existing rows start with received = quantity, sold = 0.
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
  CHECK (status IN ('Active', 'Committed', 'Released', 'Expired', 'Returned'));

ALTER TABLE inventory_items ADD COLUMN received bigint, ADD COLUMN sold bigint;
UPDATE inventory_items SET received = quantity, sold = 0;
ALTER TABLE inventory_items
  ALTER COLUMN received SET NOT NULL,
  ALTER COLUMN sold SET NOT NULL,
  ADD CONSTRAINT inventory_items_sold_check CHECK (sold >= 0),
  ADD CONSTRAINT inventory_items_ledger_check CHECK (quantity = received - sold);
