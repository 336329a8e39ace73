use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::Named;
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::LotId;
use crate::domain::ledger::{Lot, LotStatus};
use crate::domain::token::Actor;
use crate::repo;
use chrono::NaiveDateTime;

use super::evaluate_alerts;
use crate::repo::audit::{self, AuditEntry};

#[derive(Debug, thiserror::Error)]
pub enum ChangeLotStatusError {
    #[error("no lot {0}")]
    NotFound(LotId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(ChangeLotStatusError);

/// Quarantines, recalls or releases a lot, with the reason kept on the lot and in the audit.
pub fn change_lot_status(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    id: LotId,
    status: LotStatus,
    reason: &str,
    forecast: ForecastPolicy,
) -> Result<Lot, ChangeLotStatusError> {
    write_tx(conn, |conn| {
        let before = repo::lots::find(conn, id)?.ok_or(ChangeLotStatusError::NotFound(id))?;
        let lot = repo::lots::set_status(conn, id, status, reason, now)?.ok_or(ChangeLotStatusError::NotFound(id))?;
        // Available stock changed: thresholds of the item may cross either way.
        evaluate_alerts::after_item_change(conn, &[lot.item_id], forecast, now)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "lot.status",
                target_type: "lot",
                target_id: id.to_string(),
                summary: format!(
                    "lot {} {} -> {}: {reason}",
                    lot.lot_number,
                    before.status.as_str(),
                    status.as_str()
                ),
            },
        )?;
        Ok(lot)
    })
}
