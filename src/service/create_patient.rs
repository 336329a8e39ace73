use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::patient::{NewPatient, Patient};
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self, is_unique_violation};
use chrono::NaiveDateTime;

use super::evaluate_alerts;
use crate::domain::forecast::ForecastPolicy;
use crate::domain::patient::PatientStatus;

#[derive(Debug, thiserror::Error)]
pub enum CreatePatientError {
    #[error("a patient with this reference already exists")]
    DuplicateReference,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(CreatePatientError);

pub fn create_patient(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    new: NewPatient,
) -> Result<Patient, CreatePatientError> {
    write_tx(conn, |conn| {
        if repo::patients::reference_taken(conn, &new.reference, None)? {
            return Err(CreatePatientError::DuplicateReference);
        }
        let patient = repo::patients::insert(conn, &new, now).map_err(|e| {
            if is_unique_violation(&e) {
                CreatePatientError::DuplicateReference
            } else {
                e.into()
            }
        })?;
        if patient.status == PatientStatus::Active && patient.next_refill_on.is_some() {
            evaluate_alerts::after_roster_change(conn, forecast, now)?;
        }
        // The audit names the pseudonymous id only.
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "patient.create",
                target_type: "patient",
                target_id: patient.id.to_string(),
                summary: format!("registered patient {}", patient.id),
            },
        )?;
        Ok(patient)
    })
}
