DROP TRIGGER orders_total_change_matches_items ON orders;
DROP TRIGGER orders_total_matches_items ON orders;
CREATE CONSTRAINT TRIGGER orders_total_matches_items
  AFTER INSERT OR UPDATE ON orders DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION orders_check_total();
