-- Reorder thresholds, per item at one location or (location_id NULL) across all locations.
CREATE TABLE thresholds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES items (id),
    location_id BIGINT REFERENCES locations (id),
    reorder_point BIGINT NOT NULL CHECK (reorder_point >= 0),
    reorder_quantity BIGINT NOT NULL CHECK (reorder_quantity > 0),
    lead_time_days INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX thresholds_scope ON thresholds (item_id, COALESCE(location_id, 0));

-- One row per alert; a condition (threshold or lot, and kind) has at most one alert that is
-- not resolved, enforced by the partial unique index whatever the concurrency.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    condition_key TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items (id),
    location_id BIGINT REFERENCES locations (id),
    lot_id BIGINT REFERENCES lots (id),
    threshold_id BIGINT,
    state TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT,
    resolved_at TIMESTAMP,
    quantity BIGINT NOT NULL,
    threshold BIGINT,
    last_notified_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX alerts_one_per_condition ON alerts (condition_key) WHERE state <> 'resolved';
CREATE INDEX alerts_state ON alerts (state, id);
CREATE INDEX alerts_lot ON alerts (lot_id);

-- The transactional outbox: an email is queued in the transaction that opens its alert and
-- sent afterwards by a worker that claims rows with a lease.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id BIGINT REFERENCES alerts (id),
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    next_attempt_at TIMESTAMP NOT NULL,
    claim_token TEXT,
    claimed_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_alert ON notifications (alert_id);
