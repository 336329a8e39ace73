// One schema for both backends: only column types the multi-backend connection can carry
// (integers, text, bool, timestamps, dates). Kept by hand in step with both migration trees.

diesel::table! {
    items (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        category -> Text,
        unit -> Text,
        storage -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        supplier_id -> Nullable<BigInt>,
        pack_size -> Integer,
        shelf_life_days -> Nullable<Integer>,
    }
}

diesel::table! {
    item_gtins (gtin) {
        gtin -> Text,
        item_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    locations (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_token_id -> Nullable<BigInt>,
        actor_name -> Text,
        actor_role -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        summary -> Text,
    }
}

diesel::joinable!(item_gtins -> items (item_id));

diesel::table! {
    patients (id) {
        id -> BigInt,
        reference -> Text,
        status -> Text,
        refill_interval_days -> Integer,
        next_refill_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lots (id) {
        id -> BigInt,
        item_id -> BigInt,
        lot_number -> Text,
        expires_on -> Date,
        status -> Text,
        status_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        first_received_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    movements (id) {
        id -> BigInt,
        kind -> Text,
        occurred_at -> Timestamp,
        recorded_at -> Timestamp,
        location_id -> Nullable<BigInt>,
        to_location_id -> Nullable<BigInt>,
        patient_id -> Nullable<BigInt>,
        reason -> Nullable<Text>,
        reference -> Nullable<Text>,
        note -> Nullable<Text>,
        actor_token_id -> Nullable<BigInt>,
        actor_name -> Text,
        actor_role -> Text,
        reverses_movement_id -> Nullable<BigInt>,
        procedure_code -> Nullable<Text>,
    }
}

diesel::table! {
    movement_lines (id) {
        id -> BigInt,
        movement_id -> BigInt,
        line_index -> Integer,
        item_id -> BigInt,
        lot_id -> BigInt,
        location_id -> BigInt,
        delta -> BigInt,
        counted_quantity -> Nullable<BigInt>,
        serial -> Nullable<Text>,
    }
}

diesel::table! {
    lot_serials (item_id, serial) {
        item_id -> BigInt,
        serial -> Text,
        lot_id -> BigInt,
        movement_id -> BigInt,
        state -> Text,
        location_id -> Nullable<BigInt>,
        patient_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    balances (lot_id, location_id) {
        lot_id -> BigInt,
        location_id -> BigInt,
        item_id -> BigInt,
        quantity -> BigInt,
        updated_at -> Timestamp,
        held -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (owner, idempotency_key) {
        owner -> Text,
        idempotency_key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        response_location -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(lots -> items (item_id));
diesel::joinable!(movement_lines -> movements (movement_id));
diesel::joinable!(movement_lines -> lots (lot_id));
diesel::joinable!(balances -> lots (lot_id));
diesel::joinable!(lot_serials -> lots (lot_id));
diesel::joinable!(excursion_holds -> excursions (excursion_id));
diesel::joinable!(excursion_holds -> lots (lot_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(movements -> patients (patient_id));

diesel::table! {
    procedures (code) {
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    procedure_lines (procedure_code, item_id) {
        procedure_code -> Text,
        item_id -> BigInt,
        quantity -> Integer,
        position -> Integer,
    }
}

diesel::joinable!(procedure_lines -> procedures (procedure_code));

diesel::table! {
    thresholds (id) {
        id -> BigInt,
        item_id -> BigInt,
        location_id -> Nullable<BigInt>,
        reorder_point -> BigInt,
        reorder_quantity -> BigInt,
        lead_time_days -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        kind -> Text,
        condition_key -> Text,
        item_id -> BigInt,
        location_id -> Nullable<BigInt>,
        lot_id -> Nullable<BigInt>,
        threshold_id -> Nullable<BigInt>,
        state -> Text,
        opened_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        quantity -> BigInt,
        threshold -> Nullable<BigInt>,
        last_notified_at -> Timestamp,
        order_id -> Nullable<BigInt>,
        excursion_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        failed_sign_ins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (secret_hash) {
        secret_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    excursions (id) {
        id -> BigInt,
        location_id -> BigInt,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        max_temperature_c -> Double,
        min_temperature_c -> Nullable<Double>,
        note -> Nullable<Text>,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::table! {
    excursion_holds (excursion_id, lot_id) {
        excursion_id -> BigInt,
        lot_id -> BigInt,
        item_id -> BigInt,
        quantity -> BigInt,
        decision -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        note -> Nullable<Text>,
        movement_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        alert_id -> Nullable<BigInt>,
        recipients -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamp,
        claim_token -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        facts -> Nullable<Text>,
    }
}

diesel::table! {
    suppliers (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        lead_time_days -> Integer,
        email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        supplier_id -> BigInt,
        reference -> Nullable<Text>,
        status -> Text,
        ordered_on -> Date,
        expected_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_lines (id) {
        id -> BigInt,
        order_id -> BigInt,
        line_index -> Integer,
        item_id -> BigInt,
        quantity -> BigInt,
        received_quantity -> BigInt,
    }
}

diesel::table! {
    order_receipts (id) {
        id -> BigInt,
        order_line_id -> BigInt,
        movement_id -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    daily_usage (item_id, day) {
        item_id -> BigInt,
        day -> Date,
        unscheduled -> BigInt,
    }
}

diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(orders -> suppliers (supplier_id));

diesel::table! {
    refill_moves (movement_id) {
        movement_id -> BigInt,
        patient_id -> BigInt,
        previous_on -> Nullable<Date>,
        moved_to -> Date,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    suppliers,
    orders,
    order_lines,
    order_receipts,
    daily_usage,
    items,
    item_gtins,
    locations,
    api_tokens,
    audit_events,
    patients,
    lots,
    movements,
    movement_lines,
    lot_serials,
    excursions,
    excursion_holds,
    users,
    sessions,
    balances,
    idempotency_keys,
    procedures,
    procedure_lines,
    thresholds,
    alerts,
    notifications,
);
