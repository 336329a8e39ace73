use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::alert::{threshold_condition, AlertKind};
use crate::domain::ids::ThresholdId;
use crate::domain::token::Actor;
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum RemoveThresholdError {
    #[error("no threshold {0}")]
    NotFound(ThresholdId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(RemoveThresholdError);

/// Deletes a threshold; its open alerts resolve, since nothing is watched any more.
pub fn remove_threshold(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    id: ThresholdId,
) -> Result<(), RemoveThresholdError> {
    write_tx(conn, |conn| {
        let threshold = repo::thresholds::find(conn, id)?.ok_or(RemoveThresholdError::NotFound(id))?;
        for kind in [AlertKind::LowStock, AlertKind::OutOfStock] {
            repo::alerts::resolve(conn, &threshold_condition(kind, id), now)?;
        }
        repo::thresholds::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "threshold.delete",
                target_type: "threshold",
                target_id: id.to_string(),
                summary: format!("removed the threshold of item {}", threshold.item_id),
            },
        )?;
        Ok(())
    })
}
