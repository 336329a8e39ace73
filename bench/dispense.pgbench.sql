-- The statements one `POST /api/v1/movements` dispense of one unit by FEFO executes on
-- PostgreSQL, in order (read off the server's statement log), with the same locks: the
-- database's own ceiling for that request. Since issue 11 that includes the day's unscheduled
-- usage and the item's projected-stockout evaluation (item lock, the forecast's reads, resolve).
-- Variables come from bench/run (-D); pgbench substitutes `:name` even inside quotes, so the
-- alert key spells its colons chr(58).
\set patient random(:p_first, :p_last)
SELECT id, name, role FROM api_tokens WHERE secret_hash = :token_hash AND revoked_at IS NULL LIMIT 1;
BEGIN;
SELECT id, code, name, active, created_at, updated_at FROM locations WHERE id = :location LIMIT 1;
SELECT id, reference, status, refill_interval_days, next_refill_on, notes, created_at, updated_at FROM patients WHERE id = :patient LIMIT 1;
SELECT active FROM items WHERE id = :item LIMIT 1;
SELECT lot_id FROM balances WHERE item_id = :item AND location_id = :location ORDER BY lot_id FOR UPDATE;
INSERT INTO movements (kind, occurred_at, recorded_at, location_id, to_location_id, patient_id, reason, reference, note, actor_token_id, actor_name, actor_role, reverses_movement_id, procedure_code) VALUES ('dispense', now(), now(), :location, NULL, :patient, NULL, NULL, NULL, 1, 'bench', 'admin', NULL, NULL) RETURNING id AS movement \gset
SELECT lots.id AS lot, lots.expires_on, balances.quantity FROM balances INNER JOIN lots ON balances.lot_id = lots.id WHERE balances.item_id = :item AND balances.location_id = :location AND balances.quantity > 0 AND lots.status = 'available' AND lots.expires_on >= CURRENT_DATE ORDER BY lots.expires_on, lots.id LIMIT 1 \gset
SELECT first_received_at FROM lots WHERE id = :lot LIMIT 1;
UPDATE balances SET quantity = quantity - 1, updated_at = now() WHERE lot_id = :lot AND location_id = :location AND quantity >= 1;
INSERT INTO movement_lines (movement_id, line_index, item_id, lot_id, location_id, delta, counted_quantity) VALUES (:movement, 0, :item, :lot, :location, -1, NULL);
SELECT id, item_id, location_id, reorder_point, reorder_quantity, lead_time_days, created_at, updated_at FROM thresholds WHERE item_id = ANY(ARRAY[:item]::bigint[]) ORDER BY id;
INSERT INTO daily_usage (item_id, day, unscheduled) VALUES (:item, CURRENT_DATE, 1) ON CONFLICT (item_id, day) DO UPDATE SET unscheduled = daily_usage.unscheduled + excluded.unscheduled;
SELECT id FROM items WHERE id = :item FOR UPDATE;
SELECT items.id, suppliers.lead_time_days, items.pack_size, items.shelf_life_days FROM items LEFT OUTER JOIN suppliers ON suppliers.id = items.supplier_id WHERE items.active = true AND items.id = ANY(ARRAY[:item]::bigint[]) ORDER BY items.id;
SELECT lots.item_id, lots.expires_on, CAST(SUM(balances.quantity) AS BIGINT) FROM balances INNER JOIN lots ON balances.lot_id = lots.id WHERE balances.quantity > 0 AND lots.status = 'available' AND lots.expires_on >= CURRENT_DATE AND lots.item_id = ANY(ARRAY[:item]::bigint[]) GROUP BY lots.id, lots.item_id, lots.expires_on;
SELECT order_lines.item_id, orders.expected_on, order_lines.quantity, order_lines.received_quantity FROM order_lines INNER JOIN orders ON orders.id = order_lines.order_id WHERE orders.status IN ('open', 'partially_received') AND order_lines.item_id = ANY(ARRAY[:item]::bigint[]);
SELECT item_id, quantity FROM procedure_lines WHERE procedure_code = 'refill';
SELECT next_refill_on, refill_interval_days, CAST(COUNT(*) AS BIGINT) FROM patients WHERE status = 'active' AND next_refill_on IS NOT NULL GROUP BY next_refill_on, refill_interval_days;
SELECT item_id, CAST(SUM(unscheduled) AS BIGINT) FROM daily_usage WHERE day >= CURRENT_DATE - 365 AND day <= CURRENT_DATE - 1 AND item_id = ANY(ARRAY[:item]::bigint[]) GROUP BY item_id;
UPDATE alerts SET state = 'resolved', resolved_at = now() WHERE condition_key = 'projected_stockout' || chr(58) || 'item' || chr(58) || CAST(:item AS text) AND state <> 'resolved';
SELECT CAST(SUM(quantity) AS BIGINT) FROM balances WHERE lot_id = :lot LIMIT 1;
INSERT INTO audit_events (occurred_at, actor_token_id, actor_name, actor_role, action, target_type, target_id, summary) VALUES (now(), 1, 'bench', 'admin', 'movement.create', 'movement', :movement::text, 'recorded dispense movement');
SELECT id, kind, occurred_at, recorded_at, location_id, to_location_id, patient_id, reason, reference, note, actor_token_id, actor_name, actor_role, reverses_movement_id, procedure_code FROM movements WHERE id = :movement LIMIT 1;
SELECT ml.movement_id, ml.line_index, ml.item_id, ml.lot_id, lots.lot_number, lots.expires_on, ml.location_id, ml.delta, ml.counted_quantity FROM movement_lines ml INNER JOIN lots ON ml.lot_id = lots.id WHERE ml.movement_id = ANY(ARRAY[:movement]::bigint[]) ORDER BY ml.movement_id, ml.id;
SELECT id, reverses_movement_id FROM movements WHERE reverses_movement_id = ANY(ARRAY[:movement]::bigint[]);
COMMIT;
