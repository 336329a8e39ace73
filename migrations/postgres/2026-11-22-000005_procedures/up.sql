-- Named bundles of consumables recorded as one dispense (a refill, a rinse, a catheter change).
CREATE TABLE procedures (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE procedure_lines (
    procedure_code TEXT NOT NULL REFERENCES procedures (code),
    item_id BIGINT NOT NULL REFERENCES items (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    position INTEGER NOT NULL,
    PRIMARY KEY (procedure_code, item_id)
);

-- The bundles of a fresh database, on the seeded catalog; editable with PUT /api/v1/procedures/{code}.
INSERT INTO procedures (code, name, created_at, updated_at) VALUES
    ('refill', 'Pump refill', '2026-11-22 00:00:00', '2026-11-22 00:00:00'),
    ('naoh_rinse', 'Pump rinse with NaOH solution', '2026-11-22 00:00:00', '2026-11-22 00:00:00'),
    ('catheter_change', 'Catheter change', '2026-11-22 00:00:00', '2026-11-22 00:00:00');

INSERT INTO procedure_lines (procedure_code, item_id, quantity, position)
    SELECT 'refill', id, 1, 0 FROM items WHERE code = 'MIP-FILL-KIT';
INSERT INTO procedure_lines (procedure_code, item_id, quantity, position)
    SELECT 'refill', id, 1, 1 FROM items WHERE code = 'MIP-BUFFER';
INSERT INTO procedure_lines (procedure_code, item_id, quantity, position)
    SELECT 'refill', id, 2, 2 FROM items WHERE code = 'INS-400-10ML';
INSERT INTO procedure_lines (procedure_code, item_id, quantity, position)
    SELECT 'naoh_rinse', id, 1, 0 FROM items WHERE code = 'MIP-NAOH';
INSERT INTO procedure_lines (procedure_code, item_id, quantity, position)
    SELECT 'naoh_rinse', id, 1, 1 FROM items WHERE code = 'MIP-BUFFER';
INSERT INTO procedure_lines (procedure_code, item_id, quantity, position)
    SELECT 'catheter_change', id, 1, 0 FROM items WHERE code = 'MIP-CATH-STD';
