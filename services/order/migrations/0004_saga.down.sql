DROP TABLE saga_log;
DROP TABLE sagas;
