//! A patient as an edge receives it, checked into `NewPatient` / `PatientChanges`.

use chrono::NaiveDate;

use crate::domain::patient::{NewPatient, PatientChanges, PatientStatus, RefillInterval, NOTES_MAX, REFERENCE_MAX};
use crate::domain::text;
use crate::domain::time;
use crate::domain::validation::{FieldError, FieldErrors};

/// A new patient as an edge received it; no name, birth date or address.
#[derive(Debug, Clone)]
pub struct PatientInput {
    /// Pseudonymous code: letters, digits, `-`, `_`, `.`; stored upper case.
    pub reference: String,
    /// Default `active`.
    pub status: Option<PatientStatus>,
    /// Default 42.
    pub refill_interval_days: Option<i64>,
    pub next_refill_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl TryFrom<PatientInput> for NewPatient {
    type Error = FieldErrors;
    fn try_from(r: PatientInput) -> Result<NewPatient, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reference = errors.check(text::code("reference", &r.reference, REFERENCE_MAX));
        let refill_interval = match r.refill_interval_days {
            Some(days) => interval(days, &mut errors),
            None => Some(RefillInterval::default()),
        };
        let notes = match &r.notes {
            Some(n) => notes(n, &mut errors),
            None => Some(None),
        };
        let next_refill_on = match r.next_refill_on {
            Some(on) => errors.check(time::service_date("next_refill_on", on)).map(Some),
            None => Some(None),
        };
        errors.finish(|| {
            Some(NewPatient {
                reference: reference?,
                status: r.status.unwrap_or(PatientStatus::Active),
                refill_interval: refill_interval?,
                next_refill_on: next_refill_on?,
                notes: notes?,
            })
        })
    }
}

/// What to change of a patient: only the fields present (`Some(None)` clears).
#[derive(Debug, Clone)]
pub struct PatientChangesInput {
    pub reference: Option<String>,
    pub status: Option<PatientStatus>,
    pub refill_interval_days: Option<i64>,
    /// `null` clears it.
    pub next_refill_on: Option<Option<NaiveDate>>,
    /// `null` clears them.
    pub notes: Option<Option<String>>,
}

impl TryFrom<PatientChangesInput> for PatientChanges {
    type Error = FieldErrors;
    fn try_from(r: PatientChangesInput) -> Result<PatientChanges, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reference = r
            .reference
            .map(|v| errors.check(text::code("reference", &v, REFERENCE_MAX)));
        let refill_interval = r.refill_interval_days.map(|d| interval(d, &mut errors));
        let notes = r.notes.map(|n| match n {
            None => Some(None),
            Some(text) => notes(&text, &mut errors),
        });
        let next_refill_on = match r.next_refill_on {
            Some(Some(on)) => errors.check(time::service_date("next_refill_on", on)).map(Some),
            other => other,
        };
        let changes = PatientChanges {
            reference: reference.flatten(),
            status: r.status,
            refill_interval: refill_interval.flatten(),
            next_refill_on,
            notes: notes.flatten(),
        };
        if changes.is_empty() && errors.0.is_empty() {
            errors.push(FieldError::new("body", "names no field to change"));
        }
        errors.finish(|| Some(changes))
    }
}

fn interval(value: i64, errors: &mut FieldErrors) -> Option<RefillInterval> {
    errors.check(
        RefillInterval::new(value).ok_or_else(|| FieldError::new("refill_interval_days", "must be between 1 and 45")),
    )
}

fn notes(value: &str, errors: &mut FieldErrors) -> Option<Option<String>> {
    errors
        .check(text::free_text("notes", value, NOTES_MAX))
        .map(|n| (!n.is_empty()).then_some(n))
}
