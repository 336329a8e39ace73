use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::alert::{Alert, AlertState};
use crate::domain::ids::AlertId;
use crate::domain::token::Actor;
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum AcknowledgeAlertError {
    #[error("no alert {0}")]
    NotFound(AlertId),
    #[error("alert {0} is already resolved")]
    Resolved(AlertId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(AcknowledgeAlertError);

/// Someone has seen the alert: no more reminders. Acknowledging twice changes nothing.
pub fn acknowledge_alert(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    id: AlertId,
) -> Result<Alert, AcknowledgeAlertError> {
    write_tx(conn, |conn| {
        let alert = repo::alerts::find(conn, id)?.ok_or(AcknowledgeAlertError::NotFound(id))?;
        match alert.state {
            AlertState::Resolved => return Err(AcknowledgeAlertError::Resolved(id)),
            AlertState::Acknowledged => return Ok(alert),
            AlertState::Open => {}
        }
        repo::alerts::acknowledge(conn, id, &actor.name, now)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "alert.acknowledge",
                target_type: "alert",
                target_id: id.to_string(),
                summary: format!(
                    "acknowledged {} alert {id}",
                    crate::domain::catalog::Named::as_str(alert.kind)
                ),
            },
        )?;
        repo::alerts::find(conn, id)?.ok_or(AcknowledgeAlertError::NotFound(id))
    })
}
