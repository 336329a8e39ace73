-- Only balances that hold stock are read by stock, FEFO and alert queries; emptied lots stay
-- in the table (the ledger needs them) but out of this index, so reads do not grow with history.
CREATE INDEX balances_with_stock ON balances (item_id, location_id) WHERE quantity > 0;
