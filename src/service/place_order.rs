//! Placing a purchase order: its dates settled from the supplier, its lines checked, the
//! projections of its items re-evaluated in the same transaction.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::{ItemId, OrderId};
use crate::domain::supply::{NewOrder, Order};
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::orders::OrderToInsert;

use super::evaluate_alerts;

#[derive(Debug, thiserror::Error)]
pub enum PlaceOrderError {
    #[error("invalid order")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(PlaceOrderError);

pub fn place_order(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    new: NewOrder,
) -> Result<Order, PlaceOrderError> {
    write_tx(conn, |conn| {
        let id = place_in_tx(conn, actor, now, forecast, &new)?;
        repo::orders::find(conn, id)?
            .ok_or_else(|| StorageError::Invariant(format!("order {id} vanished inside its own transaction")).into())
    })
}

/// Places `new` inside the caller's transaction; returns its id.
pub(crate) fn place_in_tx(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    new: &NewOrder,
) -> Result<OrderId, PlaceOrderError> {
    let mut errors = FieldErrors::default();
    let supplier = repo::suppliers::find(conn, new.supplier_id)?;
    match &supplier {
        None => errors.push(FieldError::new("supplier_id", "no such supplier")),
        Some(s) if !s.active => errors.push(FieldError::new("supplier_id", "the supplier is inactive")),
        Some(_) => {}
    }
    for (i, (item, _)) in new.lines.iter().enumerate() {
        match repo::items::active_flag(conn, *item)? {
            None => errors.push(FieldError::new(format!("lines[{i}].item_id"), "no such item")),
            Some(false) => errors.push(FieldError::new(format!("lines[{i}].item_id"), "the item is inactive")),
            Some(true) => {}
        }
    }
    let ordered_on = new.ordered_on.unwrap_or(now.date());
    let lead_time = supplier.as_ref().map(|s| s.lead_time_days).unwrap_or(0);
    let expected_on = new
        .expected_on
        .unwrap_or(ordered_on + Duration::days(i64::from(lead_time)));
    if expected_on < ordered_on {
        errors.push(FieldError::new("expected_on", "must not be before ordered_on"));
    }
    errors.finish(|| Some(())).map_err(PlaceOrderError::Invalid)?;
    let id = repo::orders::insert(
        conn,
        &OrderToInsert {
            supplier_id: new.supplier_id,
            reference: new.reference.as_deref(),
            ordered_on,
            expected_on,
            lines: &new.lines,
        },
        now,
    )?;
    let items: Vec<ItemId> = new.lines.iter().map(|(item, _)| *item).collect();
    evaluate_alerts::evaluate_projected_stockouts(conn, Some(&items), forecast, now)?;
    evaluate_alerts::evaluate_order(conn, id, forecast, now)?;
    audit::record(
        conn,
        actor,
        now,
        AuditEntry {
            action: "order.create",
            target_type: "order",
            target_id: id.to_string(),
            summary: summary(id, new, expected_on),
        },
    )?;
    Ok(id)
}

fn summary(id: OrderId, new: &NewOrder, expected_on: NaiveDate) -> String {
    let units: i64 = new.lines.iter().map(|(_, q)| q.as_i64()).sum();
    format!(
        "placed order {id} with supplier {} ({} line(s), {units} unit(s)), expected on {expected_on}",
        new.supplier_id,
        new.lines.len()
    )
}
