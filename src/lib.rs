//! mipstock: stock, traceability and reorder alerts for MiniMed MIP implanted-pump consumables.
//!
//! Layers: `api` (HTTP edge) → `service` (use-cases, one transaction each) → `repo` (the only
//! diesel code) over `db` (connections, pool, migrations); `domain` holds pure types and rules.

pub mod api;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod notify;
pub mod repo;
pub mod service;
pub mod simulate;
pub mod startup;
pub mod telemetry;
