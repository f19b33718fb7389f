-- Stands in for a service's own first migration, so the shared ones (2, 3) apply in order.
CREATE TABLE service_placeholder (id integer);
