-- The MIP consumables every centre stocks. Names and units are editable through the API.
INSERT INTO items (code, name, category, unit, storage, active, created_at, updated_at) VALUES
    ('INS-400-10ML', 'Insuman Implantable 400 IU/ml, 10 ml vial', 'insulin', 'vial', 'refrigerated', TRUE, '2026-11-22 00:00:00', '2026-11-22 00:00:00'),
    ('MIP-FILL-KIT', 'MIP refill kit (pump fill kit)', 'fill_kit', 'kit', 'room', TRUE, '2026-11-22 00:00:00', '2026-11-22 00:00:00'),
    ('MIP-NAOH', 'NaOH cleaning solution for MIP pump rinse', 'naoh_solution', 'bottle', 'room', TRUE, '2026-11-22 00:00:00', '2026-11-22 00:00:00'),
    ('MIP-BUFFER', 'Buffer solution for MIP pump rinse', 'buffer_solution', 'bottle', 'room', TRUE, '2026-11-22 00:00:00', '2026-11-22 00:00:00'),
    ('MIP-CATH-STD', 'MIP intraperitoneal catheter, standard length', 'catheter', 'catheter', 'room', TRUE, '2026-11-22 00:00:00', '2026-11-22 00:00:00'),
    ('MIP-CATH-LONG', 'MIP intraperitoneal catheter, long', 'catheter', 'catheter', 'room', TRUE, '2026-11-22 00:00:00', '2026-11-22 00:00:00');

-- CIP13 3400958574849 (box of one vial), stored as GTIN-14.
INSERT INTO item_gtins (gtin, item_id, position)
    SELECT '03400958574849', id, 0 FROM items WHERE code = 'INS-400-10ML';
