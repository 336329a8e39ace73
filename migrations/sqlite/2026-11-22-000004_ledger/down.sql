DROP TABLE idempotency_keys;
DROP TABLE balances;
DROP TABLE lot_serials;
DROP TABLE movement_lines;
DROP TABLE movements;
DROP TABLE lots;
DROP TABLE patients;
