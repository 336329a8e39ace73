use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::alert::{NewThreshold, Threshold};
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self};
use chrono::NaiveDateTime;

use crate::domain::forecast::ForecastPolicy;

use super::evaluate_alerts::evaluate_thresholds;

#[derive(Debug, thiserror::Error)]
pub enum SetThresholdError {
    #[error("invalid threshold")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(SetThresholdError);

/// Creates or replaces the threshold of an item at a location (or across all), and
/// re-evaluates its alerts at once. Returns it and whether it is new.
pub fn set_threshold(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    new: NewThreshold,
) -> Result<(Threshold, bool), SetThresholdError> {
    write_tx(conn, |conn| {
        let mut errors = FieldErrors::default();
        if repo::items::find(conn, new.item_id)?.is_none() {
            errors.push(FieldError::new("item_id", "no such item"));
        }
        if let Some(location) = new.location_id {
            if repo::locations::find(conn, location)?.is_none() {
                errors.push(FieldError::new("location_id", "no such location"));
            }
        }
        if !errors.0.is_empty() {
            return Err(SetThresholdError::Invalid(errors));
        }
        let (threshold, created) = repo::thresholds::upsert(conn, &new, now)?;
        let scope = threshold
            .location_id
            .map(|l| format!("location {l}"))
            .unwrap_or_else(|| "all locations".into());
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: if created {
                    "threshold.create"
                } else {
                    "threshold.update"
                },
                target_type: "threshold",
                target_id: threshold.id.to_string(),
                summary: format!(
                    "item {} at {scope}: reorder point {}, reorder quantity {}",
                    threshold.item_id, threshold.reorder_point, threshold.reorder_quantity
                ),
            },
        )?;
        evaluate_thresholds(conn, std::slice::from_ref(&threshold), forecast, now)?;
        Ok((threshold, created))
    })
}
