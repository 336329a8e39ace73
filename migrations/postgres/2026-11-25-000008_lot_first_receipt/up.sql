-- When each lot first arrived (the earliest occurred_at of its receipts): no movement may be dated
-- before it. Kept on the lot so the check is one indexed read, whatever the lot's history.
ALTER TABLE lots ADD COLUMN first_received_at TIMESTAMP;
UPDATE lots SET first_received_at = (
    SELECT MIN(m.occurred_at)
    FROM movement_lines l JOIN movements m ON m.id = l.movement_id
    WHERE l.lot_id = lots.id AND m.kind = 'receipt'
);
