-- Serials (EU FMD): each received pack's serial, where it is now, and the serial a ledger line moved.
-- state: in_stock (at location_id), dispensed (to patient_id), wasted. A dispense, transfer, return
-- or waste of a serial is one conditional UPDATE of its row: two at once cannot both succeed.
ALTER TABLE lot_serials ADD COLUMN state TEXT NOT NULL DEFAULT 'in_stock'
    CHECK (state IN ('in_stock', 'dispensed', 'wasted'));
ALTER TABLE lot_serials ADD COLUMN location_id BIGINT REFERENCES locations (id);
ALTER TABLE lot_serials ADD COLUMN patient_id BIGINT REFERENCES patients (id);
UPDATE lot_serials SET location_id = (
    SELECT m.location_id FROM movements m WHERE m.id = lot_serials.movement_id
);
ALTER TABLE movement_lines ADD COLUMN serial TEXT;
CREATE INDEX movement_lines_serial ON movement_lines (item_id, serial) WHERE serial IS NOT NULL;
