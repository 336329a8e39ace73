//! Use-cases. Each takes parsed domain input, runs in one transaction (validate → compute →
//! persist, audit included) and returns a domain value or its own error enum.

pub mod acknowledge_alert;
pub mod authenticate;
pub mod bootstrap_admin;
pub mod cancel_order;
pub mod change_lot_status;
pub mod change_password;
pub mod count_stock;
pub mod create_item;
pub mod create_location;
pub mod create_patient;
pub mod create_supplier;
pub mod create_user;
pub mod decide_excursion;
pub mod define_procedure;
pub mod deliver_notifications;
pub mod evaluate_alerts;
pub mod forecast;
pub mod forget_idempotency_keys;
pub mod issue_token;
pub mod order_suggestions;
pub mod perform_procedure;
pub mod place_order;
pub mod read_catalog;
pub mod read_ledger;
pub mod read_supply;
pub mod record_excursion;
pub mod record_movement;
pub mod remove_threshold;
pub mod report_usage;
pub mod reverse_movement;
pub mod revoke_token;
pub mod run_once;
pub mod scan_alerts;
pub mod set_threshold;
pub mod show_today;
pub mod sign_in;
pub mod suggest_reorders;
pub mod update_item;
pub mod update_location;
pub mod update_patient;
pub mod update_supplier;
pub mod update_user;
pub mod verify_ledger;

pub(crate) use crate::db::storage_errors;
