use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::ids::PatientId;
use crate::domain::patient::{Patient, PatientChanges};
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self, is_unique_violation};
use chrono::NaiveDateTime;

use super::evaluate_alerts;
use crate::domain::forecast::ForecastPolicy;

#[derive(Debug, thiserror::Error)]
pub enum UpdatePatientError {
    #[error("no patient {0}")]
    NotFound(PatientId),
    #[error("a patient with this reference already exists")]
    DuplicateReference,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(UpdatePatientError);

pub fn update_patient(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    id: PatientId,
    changes: PatientChanges,
) -> Result<Patient, UpdatePatientError> {
    write_tx(conn, |conn| {
        if let Some(reference) = &changes.reference {
            if repo::patients::reference_taken(conn, reference, Some(id))? {
                return Err(UpdatePatientError::DuplicateReference);
            }
        }
        let patient = repo::patients::update(conn, id, &changes, now)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    UpdatePatientError::DuplicateReference
                } else {
                    e.into()
                }
            })?
            .ok_or(UpdatePatientError::NotFound(id))?;
        if changes.status.is_some() || changes.refill_interval.is_some() || changes.next_refill_on.is_some() {
            evaluate_alerts::after_roster_change(conn, forecast, now)?;
        }
        let fields = [
            ("reference", changes.reference.is_some()),
            ("status", changes.status.is_some()),
            ("refill_interval_days", changes.refill_interval.is_some()),
            ("next_refill_on", changes.next_refill_on.is_some()),
            ("notes", changes.notes.is_some()),
        ];
        let named: Vec<&str> = fields.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect();
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "patient.update",
                target_type: "patient",
                target_id: id.to_string(),
                summary: format!("changed patient {id}: {}", named.join(", ")),
            },
        )?;
        Ok(patient)
    })
}
