//! Recording a movement: every line applied to the balances and written to the ledger in one
//! transaction, or nothing at all.

use chrono::NaiveDate;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{
    plan_fefo, unusable, DrawLine, Insufficient, Movement, MovementRequest, NewMovement, Unusable,
};
use crate::domain::patient::PatientStatus;
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::repo::audit::{self, AuditEntry};
use crate::repo::movements::{MovementHeader, NewLine};
use crate::repo::{self, now};

use super::evaluate_alerts;

#[derive(Debug, thiserror::Error)]
pub enum RecordMovementError {
    #[error("invalid movement")]
    Invalid(FieldErrors),
    #[error("patient {0} is not active")]
    PatientNotActive(PatientId),
    #[error("not enough stock of item {} at location {}: {} requested, {} available", .0.item, .0.location, .0.requested, .0.available)]
    InsufficientStock(Insufficient),
    #[error("lot {lot_number} cannot be used")]
    LotUnusable {
        lot: LotId,
        lot_number: String,
        why: Unusable,
    },
    #[error("lot {lot_number} is known with expiry {known}")]
    LotExpiryMismatch { lot_number: String, known: NaiveDate },
    #[error("serial {serial} was already received")]
    SerialAlreadyReceived { serial: String },
    #[error("only {returnable} unit(s) of lot {lot} are held by the patient")]
    ReturnExceedsDispensed { lot: LotId, returnable: i64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(RecordMovementError);

type Result<T> = std::result::Result<T, RecordMovementError>;

fn invalid(field: impl Into<String>, message: impl Into<String>) -> RecordMovementError {
    RecordMovementError::Invalid(FieldErrors::single(field, message))
}

pub fn record_movement(conn: &mut DbConnection, actor: &Actor, new: NewMovement) -> Result<Movement> {
    write_tx(conn, |conn| {
        let id = record_in_tx(conn, actor, &new)?;
        repo::movements::find(conn, id)?.ok_or_else(|| StorageError::Unavailable("movement vanished".into()).into())
    })
}

/// Records `new` inside the caller's transaction; returns its id.
pub(crate) fn record_in_tx(conn: &mut DbConnection, actor: &Actor, new: &NewMovement) -> Result<MovementId> {
    let on = new.occurred_at.date();
    let kind = new.request.kind();
    let (location, to_location, patient) = match &new.request {
        MovementRequest::Receipt { location, .. }
        | MovementRequest::Waste { location, .. }
        | MovementRequest::Count { location, .. } => (*location, None, None),
        MovementRequest::Dispense { location, patient, .. } => (*location, None, Some(*patient)),
        MovementRequest::Transfer { from, to, .. } => (*from, Some(*to), None),
        MovementRequest::Return { location, patient, .. } => (*location, None, *patient),
    };
    check_location(conn, location, "location_id")?;
    if let Some(to) = to_location {
        check_location(conn, to, "to_location_id")?;
    }
    if let Some(patient) = patient {
        let found = repo::patients::find(conn, patient)?.ok_or_else(|| invalid("patient_id", "no such patient"))?;
        if matches!(new.request, MovementRequest::Dispense { .. }) && found.status != PatientStatus::Active {
            return Err(RecordMovementError::PatientNotActive(patient));
        }
    }
    validate_lines(conn, &new.request, on)?;
    lock_touched(conn, &new.request)?;

    let reason = match &new.request {
        MovementRequest::Waste { reason, .. } => Some(reason.as_str().to_owned()),
        _ => new.reason.clone(),
    };
    let header = MovementHeader {
        kind,
        occurred_at: new.occurred_at,
        recorded_at: now(),
        location: Some(location),
        to_location,
        patient,
        reason: reason.as_deref(),
        reference: new.reference.as_deref(),
        note: new.note.as_deref(),
        actor,
        reverses: None,
        procedure_code: new.procedure_code.as_deref(),
    };
    let id = repo::movements::insert(conn, &header)?.ok_or_else(|| invalid("body", "conflicting movement"))?;
    let mut touched: Vec<(ItemId, LocationId, LotId)> = Vec::new();
    let mut write = |conn: &mut DbConnection, line: NewLine| {
        touched.push((line.item, line.location, line.lot));
        repo::movements::insert_line(conn, id, &line)
    };

    match &new.request {
        MovementRequest::Receipt { location, lines } => {
            for (i, line) in lines.iter().enumerate() {
                let lot = repo::lots::find_or_create(conn, line.item, &line.lot_number, line.expires_on)?;
                if lot.expires_on != line.expires_on {
                    return Err(RecordMovementError::LotExpiryMismatch {
                        lot_number: lot.lot_number,
                        known: lot.expires_on,
                    });
                }
                for serial in &line.serials {
                    if !repo::lots::add_serial(conn, line.item, lot.id, id, serial)? {
                        return Err(RecordMovementError::SerialAlreadyReceived { serial: serial.clone() });
                    }
                }
                repo::balances::add(conn, line.item, lot.id, *location, line.quantity.as_i64())?;
                write(conn, line_at(i, line.item, lot.id, *location, line.quantity.as_i64()))?;
            }
        }
        MovementRequest::Dispense { location, lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                for (lot, taken) in draw(conn, line, i, *location, on)? {
                    write(conn, line_at(i, line.item, lot, *location, -taken))?;
                }
            }
        }
        MovementRequest::Transfer { from, to, lines } => {
            for (i, line) in lines.iter().enumerate() {
                for (lot, taken) in draw(conn, line, i, *from, on)? {
                    repo::balances::add(conn, line.item, lot, *to, taken)?;
                    write(conn, line_at(i, line.item, lot, *from, -taken))?;
                    write(conn, line_at(i, line.item, lot, *to, taken))?;
                }
            }
        }
        MovementRequest::Return {
            location,
            patient,
            lines,
        } => {
            for (i, line) in lines.iter().enumerate() {
                if let Some(patient) = patient {
                    let returnable = repo::patients::net_received(conn, *patient, line.lot)?;
                    if returnable < line.quantity.as_i64() {
                        return Err(RecordMovementError::ReturnExceedsDispensed {
                            lot: line.lot,
                            returnable,
                        });
                    }
                }
                repo::balances::add(conn, line.item, line.lot, *location, line.quantity.as_i64())?;
                write(conn, line_at(i, line.item, line.lot, *location, line.quantity.as_i64()))?;
            }
        }
        MovementRequest::Waste { location, lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                take_exactly(conn, line.item, line.lot, *location, line.quantity.as_i64())?;
                write(
                    conn,
                    line_at(i, line.item, line.lot, *location, -line.quantity.as_i64()),
                )?;
            }
        }
        MovementRequest::Count { location, lines } => {
            for (i, line) in lines.iter().enumerate() {
                let current = repo::balances::quantity(conn, line.lot, *location)?;
                let delta = line.counted.as_i64() - current;
                if delta > 0 {
                    repo::balances::add(conn, line.item, line.lot, *location, delta)?;
                } else if delta < 0 {
                    take_exactly(conn, line.item, line.lot, *location, -delta)?;
                }
                let mut counted = line_at(i, line.item, line.lot, *location, delta);
                counted.counted_quantity = Some(line.counted.as_i64());
                write(conn, counted)?;
            }
        }
    }

    let pairs: Vec<(ItemId, LocationId)> = touched.iter().map(|(item, location, _)| (*item, *location)).collect();
    let lots: Vec<LotId> = touched.iter().map(|(_, _, lot)| *lot).collect();
    evaluate_alerts::after_stock_change(conn, &pairs, &lots, header.recorded_at)?;
    audit::record(
        conn,
        actor,
        AuditEntry {
            action: "movement.create",
            target_type: "movement",
            target_id: id.to_string(),
            summary: format!("recorded {} movement {id} at location {location}", kind.as_str()),
        },
    )?;
    Ok(id)
}

fn line_at(index: usize, item: ItemId, lot: LotId, location: LocationId, delta: i64) -> NewLine {
    NewLine {
        line_index: index as u32,
        item,
        lot,
        location,
        delta,
        counted_quantity: None,
    }
}

fn check_location(conn: &mut DbConnection, id: LocationId, field: &str) -> Result<()> {
    match repo::locations::find(conn, id)? {
        None => Err(invalid(field, "no such location")),
        Some(location) if !location.active => Err(invalid(field, "the location is inactive")),
        Some(_) => Ok(()),
    }
}

/// Every reference of every line, checked before any stock moves, so a request that is both
/// invalid and short of stock gets 422, and all its invalid fields at once.
/// A receipt's lots must not have expired on the day it is recorded as received.
fn validate_lines(conn: &mut DbConnection, request: &MovementRequest, on: NaiveDate) -> Result<()> {
    let mut errors = FieldErrors::default();
    let mut check =
        |conn: &mut DbConnection, i: usize, item: ItemId, lot: Option<LotId>, receiving: bool| -> Result<()> {
            match repo::items::active_flag(conn, item)? {
                None => errors.push(FieldError::new(format!("lines[{i}].item_id"), "no such item")),
                Some(active) if receiving && !active => {
                    errors.push(FieldError::new(format!("lines[{i}].item_id"), "the item is inactive"))
                }
                Some(_) => {}
            }
            if let Some(lot) = lot {
                match repo::lots::find(conn, lot)? {
                    None => errors.push(FieldError::new(format!("lines[{i}].lot_id"), "no such lot")),
                    Some(found) if found.item_id != item => errors.push(FieldError::new(
                        format!("lines[{i}].lot_id"),
                        "the lot belongs to another item",
                    )),
                    Some(_) => {}
                }
            }
            Ok(())
        };
    match request {
        MovementRequest::Receipt { lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                check(conn, i, line.item, None, true)?;
            }
            for (i, line) in lines.iter().enumerate() {
                if line.expires_on < on {
                    errors.push(FieldError::new(format!("lines[{i}].expires_on"), "is already past"));
                }
            }
        }
        MovementRequest::Dispense { lines, .. } | MovementRequest::Transfer { lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                check(conn, i, line.item, line.lot, false)?;
            }
        }
        MovementRequest::Return { lines, .. } | MovementRequest::Waste { lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                check(conn, i, line.item, Some(line.lot), false)?;
            }
        }
        MovementRequest::Count { lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                check(conn, i, line.item, Some(line.lot), false)?;
            }
        }
    }
    if errors.0.is_empty() {
        Ok(())
    } else {
        Err(RecordMovementError::Invalid(errors))
    }
}

/// The (item, location) pairs a movement changes, locked in one order before anything is read.
fn lock_touched(conn: &mut DbConnection, request: &MovementRequest) -> Result<()> {
    let pairs: Vec<(ItemId, LocationId)> = match request {
        MovementRequest::Receipt { location, lines } => lines.iter().map(|l| (l.item, *location)).collect(),
        MovementRequest::Dispense { location, lines, .. } => lines.iter().map(|l| (l.item, *location)).collect(),
        MovementRequest::Transfer { from, to, lines } => {
            lines.iter().flat_map(|l| [(l.item, *from), (l.item, *to)]).collect()
        }
        MovementRequest::Return { location, lines, .. } | MovementRequest::Waste { location, lines, .. } => {
            lines.iter().map(|l| (l.item, *location)).collect()
        }
        MovementRequest::Count { location, lines } => lines.iter().map(|l| (l.item, *location)).collect(),
    };
    repo::balances::lock(conn, &pairs)?;
    Ok(())
}

/// Takes a draw line's quantity from the named lot, or by FEFO; returns (lot, units) taken.
fn draw(
    conn: &mut DbConnection,
    line: &DrawLine,
    index: usize,
    location: LocationId,
    on: NaiveDate,
) -> Result<Vec<(LotId, i64)>> {
    let wanted = line.quantity.as_i64();
    match line.lot {
        Some(lot_id) => {
            let lot = repo::lots::find(conn, lot_id)?
                .ok_or_else(|| invalid(format!("lines[{index}].lot_id"), "no such lot"))?;
            if let Some(why) = unusable(lot.status, lot.expires_on, on) {
                return Err(RecordMovementError::LotUnusable {
                    lot: lot.id,
                    lot_number: lot.lot_number,
                    why,
                });
            }
            take_exactly(conn, line.item, lot.id, location, wanted)?;
            Ok(vec![(lot.id, wanted)])
        }
        None => {
            let candidates = repo::balances::fefo_candidates(conn, line.item, location, on)?;
            let plan = plan_fefo(&candidates, line.quantity).map_err(|shortfall| {
                RecordMovementError::InsufficientStock(Insufficient {
                    item: line.item,
                    location,
                    requested: wanted,
                    available: shortfall.available,
                })
            })?;
            for (lot, amount) in &plan {
                take_exactly(conn, line.item, *lot, location, *amount)?;
            }
            Ok(plan)
        }
    }
}

pub(crate) fn take_exactly(
    conn: &mut DbConnection,
    item: ItemId,
    lot: LotId,
    location: LocationId,
    amount: i64,
) -> Result<()> {
    if repo::balances::take(conn, lot, location, amount)? {
        return Ok(());
    }
    let available = repo::balances::quantity(conn, lot, location)?;
    Err(RecordMovementError::InsufficientStock(Insufficient {
        item,
        location,
        requested: amount,
        available,
    }))
}
