-- The forecast reads the roster grouped by (next_refill_on, interval) inside every dispensation:
-- a covering index in that order serves it without touching the table or sorting.
CREATE INDEX patients_roster ON patients (status, next_refill_on, refill_interval_days);
