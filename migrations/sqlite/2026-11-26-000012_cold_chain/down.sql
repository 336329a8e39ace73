ALTER TABLE alerts DROP COLUMN excursion_id;
DROP TABLE excursion_holds;
DROP TABLE excursions;
ALTER TABLE balances DROP COLUMN held;
