DROP TABLE reservations;
DROP TABLE inventory_items;
DROP TABLE products;
