-- Back to the schema of migration 3. The ledger is dropped; a returned sale becomes 'Released'
-- (the closest older status: its units are back in stock).
ALTER TABLE inventory_items
  DROP CONSTRAINT inventory_items_ledger_check,
  DROP CONSTRAINT inventory_items_sold_check,
  DROP COLUMN sold,
  DROP COLUMN received;

ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
UPDATE reservations SET status = 'Released' WHERE status = 'Returned';
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
  CHECK (status IN ('Active', 'Committed', 'Released', 'Expired'));
