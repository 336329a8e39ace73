-- What a refill did to its patient's next refill date, so that its reversal can put the date
-- back (unless something moved it since).
CREATE TABLE refill_moves (
    movement_id BIGINT PRIMARY KEY REFERENCES movements (id),
    patient_id BIGINT NOT NULL REFERENCES patients (id),
    previous_on DATE,
    moved_to DATE NOT NULL
);
