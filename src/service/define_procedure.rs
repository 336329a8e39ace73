use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::procedure::Procedure;
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use chrono::NaiveDateTime;

use super::evaluate_alerts;
use crate::domain::forecast::ForecastPolicy;
use crate::domain::procedure::REFILL;

#[derive(Debug, thiserror::Error)]
pub enum DefineProcedureError {
    #[error("invalid procedure")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(DefineProcedureError);

/// Creates or replaces a procedure; returns it and whether it is new.
pub fn define_procedure(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    procedure: Procedure,
) -> Result<(Procedure, bool), DefineProcedureError> {
    write_tx(conn, |conn| {
        let mut errors = FieldErrors::default();
        for (i, line) in procedure.lines.iter().enumerate() {
            if repo::items::find(conn, line.item)?.is_none() {
                errors.push(FieldError::new(format!("lines[{i}].item_id"), "no such item"));
            }
        }
        if !errors.0.is_empty() {
            return Err(DefineProcedureError::Invalid(errors));
        }
        let created = repo::procedures::upsert(conn, &procedure, now)?;
        if procedure.code == REFILL {
            // What a refill consumes changed: every item's scheduled demand may have.
            evaluate_alerts::evaluate_projected_stockouts(conn, None, forecast, now)?;
        }
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: if created {
                    "procedure.create"
                } else {
                    "procedure.update"
                },
                target_type: "procedure",
                target_id: procedure.code.clone(),
                summary: format!(
                    "{} procedure {} with {} line(s)",
                    if created { "defined" } else { "redefined" },
                    procedure.code,
                    procedure.lines.len()
                ),
            },
        )?;
        Ok((procedure, created))
    })
}
