//! Pure types and rules: no diesel, no actix. Everything here is parsed once at the edge and
//! then trusted by the layers below.

pub mod alert;
pub mod catalog;
pub mod cold_chain;
pub mod email_facts;
pub mod forecast;
pub mod gs1;
pub mod gtin;
pub mod ids;
pub mod ledger;
pub mod mailbox;
pub mod messages;
pub mod page;
pub mod patient;
pub mod policy;
pub mod procedure;
pub mod quantity;
pub mod role;
pub mod stock;
pub mod supply;
pub mod text;
pub mod time;
pub mod token;
pub mod usage;
pub mod user;
pub mod validation;
