-- The orders row's check of its total against its items (orders_check_total, deferred to the
-- commit) ran after every update of the order, i.e. after every status change of a saga, two
-- queries each time. The total can only go wrong when it changes; the items' own trigger still
-- checks every change of the items.
DROP TRIGGER orders_total_matches_items ON orders;
CREATE CONSTRAINT TRIGGER orders_total_matches_items
  AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION orders_check_total();
CREATE CONSTRAINT TRIGGER orders_total_change_matches_items
  AFTER UPDATE ON orders DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (OLD.total_minor IS DISTINCT FROM NEW.total_minor)
  EXECUTE FUNCTION orders_check_total();
