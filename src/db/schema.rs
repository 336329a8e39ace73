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
diesel::allow_tables_to_appear_in_same_query!(items, item_gtins, locations, api_tokens, audit_events);
