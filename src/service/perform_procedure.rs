//! A procedure performed for a patient: one all-or-nothing dispense of its whole bundle.

use chrono::{Duration, NaiveDateTime};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::ids::{LocationId, PatientId};
use crate::domain::ledger::{DrawLine, Movement, MovementRequest, NewMovement};
use crate::domain::patient::PatientChanges;
use crate::domain::policy::Policy;
use crate::domain::procedure::{bundle, draw, BundleLine, REFILL};
use crate::domain::token::Actor;
use crate::domain::validation::FieldErrors;
use crate::repo;
use crate::repo::audit::{self, AuditEntry};

use super::record_movement::{record_in_tx, RecordMovementError};

#[derive(Debug, Clone)]
pub struct ProcedureRequest {
    pub patient: PatientId,
    pub procedure: String,
    pub location: LocationId,
    pub occurred_at: NaiveDateTime,
    /// Replace the quantity of items of the bundle, or add items.
    pub overrides: Vec<BundleLine>,
    /// Boxes scanned for it: they replace their items' lines, taken from their own lots.
    pub scanned: Vec<DrawLine>,
}

#[derive(Debug, thiserror::Error)]
pub enum PerformProcedureError {
    #[error("no patient {0}")]
    PatientNotFound(PatientId),
    #[error("no procedure {0}")]
    UnknownProcedure(String),
    #[error(transparent)]
    Movement(RecordMovementError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(PerformProcedureError);

pub fn perform_procedure(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    policy: Policy,
    request: ProcedureRequest,
) -> Result<Movement, PerformProcedureError> {
    write_tx(conn, |conn| {
        let patient = repo::patients::find(conn, request.patient)?
            .ok_or(PerformProcedureError::PatientNotFound(request.patient))?;
        let procedure = repo::procedures::find(conn, &request.procedure)?
            .ok_or_else(|| PerformProcedureError::UnknownProcedure(request.procedure.clone()))?;
        let lines = draw(&bundle(&procedure.lines, &request.overrides), request.scanned.clone());
        if lines.is_empty() {
            let errors = FieldErrors::single("lines", "the procedure has no line: give at least one");
            return Err(PerformProcedureError::Movement(RecordMovementError::Invalid(errors)));
        }
        let new = NewMovement {
            occurred_at: request.occurred_at,
            reference: None,
            note: None,
            reason: None,
            request: MovementRequest::Dispense {
                location: request.location,
                patient: patient.id,
                lines,
            },
            procedure_code: Some(procedure.code.clone()),
        };
        // The next refill date moves before the dispensation is recorded, so that the projection
        // evaluated with it no longer counts this refill as still to come.
        let next = (procedure.code == REFILL)
            .then(|| request.occurred_at.date() + Duration::days(i64::from(patient.refill_interval.days())));
        if let Some(next) = next {
            let changes = PatientChanges {
                next_refill_on: Some(Some(next)),
                ..PatientChanges::default()
            };
            repo::patients::update(conn, patient.id, &changes, now)?;
        }
        let id = record_in_tx(conn, actor, now, policy, &new).map_err(PerformProcedureError::Movement)?;
        if let Some(next) = next {
            repo::patients::record_refill_move(conn, id, patient.id, patient.next_refill_on, next)?;
            audit::record(
                conn,
                actor,
                now,
                AuditEntry {
                    action: "patient.refill",
                    target_type: "patient",
                    target_id: patient.id.to_string(),
                    summary: format!("refilled by movement {id}; next refill on {next}"),
                },
            )?;
        }
        repo::movements::find(conn, id)?
            .ok_or_else(|| StorageError::Invariant(format!("movement {id} vanished inside its own transaction")).into())
    })
}
