//! `mipstock demo --lines N`: a large, realistic history for benchmarks, simulated in memory
//! (`simulate`) and then written in bulk (`write`). The population is fixed and the history
//! grows with N, as years of ledger would.

mod simulate;
mod write;

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::page::PageRequest;
use crate::domain::role::Role;
use crate::domain::token::Actor;
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::bulk::max_id;

use simulate::{simulate, Ids, CODES};

#[derive(Debug, thiserror::Error)]
pub enum GenerateHistoryError {
    #[error("the database already holds movements: generate into an empty one")]
    NotEmpty,
    #[error("the seeded catalog item {0} is missing")]
    MissingItem(&'static str),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
crate::db::storage_errors!(GenerateHistoryError);

#[derive(Debug, Clone)]
pub struct HistorySpec {
    /// Ledger lines to write (at least).
    pub lines: u64,
    pub patients: u32,
    pub sites: u32,
    pub seed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySummary {
    pub lines: u64,
    pub movements: u64,
    pub lots: u64,
    pub patients: u32,
    pub locations: u32,
    pub days: i64,
}

impl std::fmt::Display for HistorySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ledger lines in {} movements over {} days: {} lots, {} patients, {} locations",
            self.lines, self.movements, self.days, self.lots, self.patients, self.locations
        )
    }
}

/// Fills a database that holds no movement with a history ending yesterday, in one transaction.
pub fn generate_history(
    conn: &mut DbConnection,
    spec: &HistorySpec,
    now: NaiveDateTime,
) -> Result<HistorySummary, GenerateHistoryError> {
    write_tx(conn, |conn| {
        let page = PageRequest { after: None, limit: 1 };
        if !repo::movements::list(conn, &Default::default(), page)?.items.is_empty() {
            return Err(GenerateHistoryError::NotEmpty);
        }
        let mut items = [0i64; 4];
        for (slot, code) in items.iter_mut().zip(CODES) {
            *slot = repo::items::id_by_code(conn, code)?
                .ok_or(GenerateHistoryError::MissingItem(code))?
                .0;
        }
        let first_location = max_id(conn, "locations")? + 1;
        let ids = Ids {
            central: first_location,
            wards: (1..=i64::from(spec.sites.max(1))).map(|s| first_location + s).collect(),
            first_patient: max_id(conn, "patients")? + 1,
            first_lot: max_id(conn, "lots")? + 1,
        };
        let simulation = simulate(spec, &ids);
        write::write(conn, &simulation, &ids, &items, now)?;

        let summary = HistorySummary {
            lines: simulation.sim.lines,
            movements: simulation.sim.moves.len() as u64,
            lots: simulation.sim.lots.len() as u64,
            patients: simulation.intervals.len() as u32,
            locations: ids.wards.len() as u32 + 1,
            days: simulation.days,
        };
        let actor = Actor {
            token_id: None,
            name: "demo".into(),
            role: Role::Admin,
        };
        let entry = AuditEntry {
            action: "demo.history",
            target_type: "ledger",
            target_id: "bulk".into(),
            summary: summary.to_string(),
        };
        audit::record(conn, &actor, now, entry)?;
        Ok(summary)
    })
}
