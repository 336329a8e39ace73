-- Patients are pseudonymous: the hospital keeps the mapping from reference to person.
CREATE TABLE patients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    refill_interval_days INTEGER NOT NULL CHECK (refill_interval_days BETWEEN 1 AND 45),
    next_refill_on DATE,
    notes TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX patients_status ON patients (status, id);
CREATE INDEX patients_next_refill ON patients (next_refill_on);

CREATE TABLE lots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items (id),
    lot_number TEXT NOT NULL,
    expires_on DATE NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (item_id, lot_number)
);
CREATE INDEX lots_expiry ON lots (expires_on, id);

CREATE TABLE movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    location_id BIGINT REFERENCES locations (id),
    to_location_id BIGINT REFERENCES locations (id),
    patient_id BIGINT REFERENCES patients (id),
    reason TEXT,
    reference TEXT,
    note TEXT,
    actor_token_id BIGINT,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    -- Unique: a movement is reversed at most once, whatever the concurrency.
    reverses_movement_id BIGINT UNIQUE REFERENCES movements (id),
    procedure_code TEXT
);
CREATE INDEX movements_kind ON movements (kind, id);
CREATE INDEX movements_patient ON movements (patient_id, occurred_at);
CREATE INDEX movements_occurred ON movements (occurred_at, id);

-- The ledger: append-only, one signed delta per (lot, location).
CREATE TABLE movement_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    movement_id BIGINT NOT NULL REFERENCES movements (id),
    line_index INTEGER NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    location_id BIGINT NOT NULL REFERENCES locations (id),
    -- A count that matches the shelf records a zero delta: the count itself is the event.
    delta BIGINT NOT NULL,
    counted_quantity BIGINT
);
CREATE INDEX movement_lines_movement ON movement_lines (movement_id, id);
CREATE INDEX movement_lines_lot ON movement_lines (lot_id, location_id);
CREATE INDEX movement_lines_item ON movement_lines (item_id, movement_id);

-- Serial numbers of packs: a serial is received once per item.
CREATE TABLE lot_serials (
    item_id BIGINT NOT NULL REFERENCES items (id),
    serial TEXT NOT NULL,
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    movement_id BIGINT NOT NULL REFERENCES movements (id),
    PRIMARY KEY (item_id, serial)
);
CREATE INDEX lot_serials_lot ON lot_serials (lot_id);

-- Stock per (lot, location), kept equal to the ledger in the same transaction. The CHECK is a
-- backstop: writes are conditional updates that never take a balance below zero.
CREATE TABLE balances (
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    location_id BIGINT NOT NULL REFERENCES locations (id),
    item_id BIGINT NOT NULL REFERENCES items (id),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (lot_id, location_id)
);
CREATE INDEX balances_item ON balances (item_id, location_id);

-- Responses to POSTs that carried an Idempotency-Key, replayed on a repeat.
CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    response_location TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
