-- Suppliers, purchase orders and what the forecast reads (API.md, "Suppliers and purchase orders").
CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lead_time_days INTEGER NOT NULL CHECK (lead_time_days BETWEEN 0 AND 365),
    email TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    reference TEXT,
    status TEXT NOT NULL,
    ordered_on DATE NOT NULL,
    expected_on DATE NOT NULL CHECK (expected_on >= ordered_on),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE order_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_index INTEGER NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    received_quantity BIGINT NOT NULL DEFAULT 0 CHECK (received_quantity >= 0)
);

-- Which receipt counted how much against which order line (a reversal takes it back).
CREATE TABLE order_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_line_id BIGINT NOT NULL REFERENCES order_lines (id),
    movement_id BIGINT NOT NULL REFERENCES movements (id),
    quantity BIGINT NOT NULL
);
ALTER TABLE items ADD COLUMN supplier_id BIGINT;
ALTER TABLE items ADD COLUMN pack_size INTEGER NOT NULL DEFAULT 1 CHECK (pack_size BETWEEN 1 AND 10000);
ALTER TABLE items ADD COLUMN shelf_life_days INTEGER CHECK (shelf_life_days BETWEEN 1 AND 3650);
CREATE INDEX items_supplier ON items (supplier_id);

CREATE INDEX orders_status ON orders (status, id);
CREATE INDEX orders_supplier ON orders (supplier_id, id);
CREATE INDEX order_lines_order ON order_lines (order_id, line_index);
CREATE INDEX order_lines_item ON order_lines (item_id);
CREATE INDEX order_receipts_movement ON order_receipts (movement_id);

-- order_overdue alerts name their order. (SQLite cannot drop a column that references another
-- table, so the columns added here carry no REFERENCES; the use-cases check them.)
ALTER TABLE alerts ADD COLUMN order_id BIGINT;

-- Units dispensed per item and day outside the `refill` procedure: the forecast's unscheduled
-- rate reads at most 365 rows per item from here, however long the ledger grows. Kept in the
-- transaction of each dispense and of each reversal of one.
CREATE TABLE daily_usage (
    item_id BIGINT NOT NULL REFERENCES items (id),
    day DATE NOT NULL,
    unscheduled BIGINT NOT NULL,
    PRIMARY KEY (item_id, day)
);
INSERT INTO daily_usage (item_id, day, unscheduled)
SELECT l.item_id, DATE(m.occurred_at), -SUM(l.delta)
FROM movement_lines l JOIN movements m ON m.id = l.movement_id
WHERE m.kind = 'dispense' AND m.reverses_movement_id IS NULL AND COALESCE(m.procedure_code, '') <> 'refill'
  AND NOT EXISTS (SELECT 1 FROM movements r WHERE r.reverses_movement_id = m.id)
GROUP BY l.item_id, DATE(m.occurred_at);
