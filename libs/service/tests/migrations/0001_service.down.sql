DROP TABLE service_placeholder;
