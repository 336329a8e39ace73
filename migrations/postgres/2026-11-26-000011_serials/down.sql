DROP INDEX movement_lines_serial;
ALTER TABLE movement_lines DROP COLUMN serial;
ALTER TABLE lot_serials DROP COLUMN patient_id;
ALTER TABLE lot_serials DROP COLUMN location_id;
ALTER TABLE lot_serials DROP COLUMN state;
