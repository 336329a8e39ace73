-- A fridge that got warm: the refrigerated units at that location are held until a pharmacist
-- releases or destroys them, lot by lot. `held` on the (lot, location) balance keeps them out of
-- FEFO, transfers and the forecast; the same lot elsewhere is untouched.
ALTER TABLE balances ADD COLUMN held BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= quantity);

CREATE TABLE excursions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    location_id BIGINT NOT NULL REFERENCES locations (id),
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    max_temperature_c DOUBLE PRECISION NOT NULL,
    min_temperature_c DOUBLE PRECISION,
    note TEXT,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX excursions_location ON excursions (location_id, id);

-- What each excursion held, per lot; decided once.
CREATE TABLE excursion_holds (
    excursion_id BIGINT NOT NULL REFERENCES excursions (id),
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    item_id BIGINT NOT NULL REFERENCES items (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    decision TEXT CHECK (decision IN ('released', 'destroyed')),
    decided_at TIMESTAMP,
    decided_by TEXT,
    note TEXT,
    movement_id BIGINT REFERENCES movements (id),
    PRIMARY KEY (excursion_id, lot_id)
);

ALTER TABLE alerts ADD COLUMN excursion_id BIGINT;
