//! A fridge got warm: every refrigerated unit at that location is held — only there — until a
//! pharmacist decides, and an alert (with its email) says so.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::alert::AlertKind;
use crate::domain::cold_chain::{excursion_condition, Excursion, NewExcursion};
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::{ItemId, LocationId};
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::repo;
use crate::repo::alerts::NewAlert;
use crate::repo::audit::{self, AuditEntry};

use super::evaluate_alerts;

#[derive(Debug, thiserror::Error)]
pub enum RecordExcursionError {
    #[error("no location {0}")]
    NotFound(LocationId),
    #[error("invalid excursion")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(RecordExcursionError);

pub fn record_excursion(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    new: NewExcursion,
) -> Result<Excursion, RecordExcursionError> {
    write_tx(conn, |conn| {
        let location = new.location;
        repo::locations::find(conn, location)?.ok_or(RecordExcursionError::NotFound(location))?;
        if new.started_at > now {
            return Err(RecordExcursionError::Invalid(FieldErrors(vec![FieldError::new(
                "started_at",
                "must not be in the future",
            )])));
        }
        let fridge_items = repo::items::refrigerated(conn)?;
        let pairs: Vec<(ItemId, LocationId)> = fridge_items.iter().map(|i| (*i, location)).collect();
        repo::balances::lock(conn, &pairs)?;
        let id = repo::excursions::insert(conn, &new, &actor.name, now)?;
        let held = repo::balances::hold_all(conn, location, &fridge_items, now)?;
        for (lot, item, units) in &held {
            repo::excursions::add_hold(conn, id, *lot, *item, *units)?;
        }
        // One alert per excursion, filed under the first item it holds; nothing held (an
        // empty fridge) needs no decision and opens none.
        if let Some((_, item, _)) = held.first() {
            let key = excursion_condition(id);
            let alert = NewAlert {
                kind: AlertKind::ColdChainExcursion,
                condition_key: &key,
                item: *item,
                location: Some(location),
                lot: None,
                threshold_id: None,
                quantity: held.iter().map(|(_, _, units)| units).sum(),
                threshold: None,
                order: None,
                excursion: Some(id),
                at: now,
            };
            if let Some(opened) = repo::alerts::open_if_absent(conn, &alert)? {
                evaluate_alerts::queue_email(conn, opened, false, forecast, now)?;
            }
        }
        let lots: Vec<_> = held.iter().map(|(lot, _, _)| *lot).collect();
        evaluate_alerts::after_stock_change(conn, &pairs, &lots, forecast, now)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "excursion.create",
                target_type: "excursion",
                target_id: id.to_string(),
                summary: format!(
                    "cold-chain excursion at location {location} (max {} °C): {} lot(s) held",
                    new.max_temperature_c,
                    held.len()
                ),
            },
        )?;
        repo::excursions::find(conn, id)?.ok_or_else(|| {
            StorageError::Invariant(format!("excursion {id} vanished inside its own transaction")).into()
        })
    })
}
