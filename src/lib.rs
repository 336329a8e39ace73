//! mipstock: stock, traceability and reorder alerts for MiniMed MIP implanted-pump consumables.
//!
//! Layers: the edges `api` (JSON) and `web` (the pharmacists' pages) → `service` (use-cases, one transaction each) → `repo` (the only
//! diesel code) over `db` (connections, pool, migrations); `domain` holds pure types and rules.

pub mod api;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod notify;
pub mod repo;
pub mod service;
pub mod simulate;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
