//! Corrections are new movements: a reversal carries the opposite of every line of the
//! original. Nothing in the ledger is edited or deleted.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::ids::{ExcursionId, ItemId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{serial_step, Insufficient, Movement, MovementKind, MovementLine, SerialRecord};
use crate::domain::patient::PatientChanges;
use crate::domain::procedure::REFILL;
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::movements::{MovementHeader, NewLine};
use crate::repo::{self};

use super::evaluate_alerts;
use super::record_movement::{
    check_serials_fit, count_usage, describe, first_not_held, first_not_out, settle_order, take_exactly,
    RecordMovementError,
};
use crate::domain::forecast::{is_unscheduled, ForecastPolicy};

#[derive(Debug, thiserror::Error)]
pub enum ReverseMovementError {
    #[error("no movement {0}")]
    NotFound(MovementId),
    #[error("movement {0} is a reversal; record a new movement instead")]
    NotReversible(MovementId),
    #[error("movement {original} was already reversed by movement {by}")]
    AlreadyReversed { original: MovementId, by: MovementId },
    #[error("the stock this reversal must take back is no longer there")]
    InsufficientStock(Insufficient),
    #[error(
        "the patient holds only {held} unit(s) of lot {lot} of this dispensation; record a return, not a reversal"
    )]
    NoLongerHeld { lot: LotId, held: i64 },
    #[error("serial {serial} {}", describe(.found.as_ref(), *.lot))]
    SerialMoved {
        serial: String,
        lot: LotId,
        found: Option<SerialRecord>,
    },
    #[error("only {out} unit(s) of lot {lot} are out with patients: no more can come back")]
    NoLongerOut { lot: LotId, out: i64 },
    #[error("movement {0} destroyed units held by excursion {1}: a cold-chain decision is final and is not reversed")]
    DecidedWaste(MovementId, ExcursionId),
    #[error(
        "{serials} unit(s) of lot {lot} at location {location} are serialised packs: reverse the movements that scanned them first (the balance there would hold {quantity})"
    )]
    SerialRequired {
        lot: LotId,
        location: LocationId,
        serials: i64,
        quantity: i64,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(ReverseMovementError);

pub fn reverse_movement(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    id: MovementId,
) -> Result<Movement, ReverseMovementError> {
    write_tx(conn, |conn| {
        // Two reversals of one movement queue here; the second then sees the first.
        repo::movements::lock(conn, id)?;
        let original = repo::movements::find(conn, id)?.ok_or(ReverseMovementError::NotFound(id))?;
        if original.kind == MovementKind::Reversal {
            return Err(ReverseMovementError::NotReversible(id));
        }
        if let Some(by) = original.reversed_by_movement_id {
            return Err(ReverseMovementError::AlreadyReversed { original: id, by });
        }
        if original.kind == MovementKind::Waste {
            if let Some(excursion) = repo::excursions::destroyed_by(conn, id)? {
                return Err(ReverseMovementError::DecidedWaste(id, excursion));
            }
        }
        // Locks in the order movements take them: patient → lots → balances.
        if let Some(patient) = original.patient_id {
            repo::patients::lock(conn, patient)?;
        }
        if original.kind == MovementKind::Dispense {
            let lots: Vec<LotId> = original.lines.iter().map(|l| l.lot_id).collect();
            repo::lots::lock(conn, &lots)?;
        }
        let pairs: Vec<(ItemId, LocationId)> = original.lines.iter().map(|l| (l.item_id, l.location_id)).collect();
        repo::balances::lock(conn, &pairs)?;
        if let (MovementKind::Dispense, Some(patient)) = (original.kind, original.patient_id) {
            check_still_held(conn, patient, &original)?;
        }
        if original.kind == MovementKind::Receipt {
            check_serials_in_place(conn, &original)?;
        }
        let header = MovementHeader {
            kind: MovementKind::Reversal,
            occurred_at: now,
            recorded_at: now,
            location: original.location_id,
            to_location: original.to_location_id,
            patient: original.patient_id,
            reason: Some("reversal"),
            reference: original.reference.as_deref(),
            note: None,
            actor,
            reverses: Some(id),
            procedure_code: original.procedure_code.as_deref(),
        };
        let reversal = repo::movements::insert(conn, &header)?.ok_or_else(|| {
            StorageError::Invariant(format!("movement {id} was reversed while locked by its reversal"))
        })?;
        for line in original.lines.iter().filter(|l| l.delta != 0) {
            let opposite = -line.delta;
            if opposite > 0 {
                repo::balances::add(conn, line.item_id, line.lot_id, line.location_id, opposite, now)?;
            } else {
                take_exactly(conn, line.item_id, line.lot_id, line.location_id, -opposite, now).map_err(
                    |e| match e {
                        RecordMovementError::InsufficientStock(short) => ReverseMovementError::InsufficientStock(short),
                        RecordMovementError::Storage(s) => ReverseMovementError::Storage(s),
                        other => ReverseMovementError::Storage(StorageError::Invariant(format!(
                            "taking back stock for reversal of {id}: {other}"
                        ))),
                    },
                )?;
            }
            repo::movements::insert_line(conn, reversal, &reversed_line(line))?;
        }
        put_serials_back(conn, &original)?;
        let taken_back: Vec<NewLine> = original.lines.iter().map(reversed_line).collect();
        check_serials_fit(conn, &taken_back).map_err(|e| match e {
            RecordMovementError::SerialRequired {
                lot,
                location,
                serials,
                quantity,
            } => ReverseMovementError::SerialRequired {
                lot,
                location,
                serials,
                quantity,
            },
            RecordMovementError::Storage(s) => ReverseMovementError::Storage(s),
            other => ReverseMovementError::Storage(StorageError::Invariant(format!(
                "serials after reversal of {id}: {other}"
            ))),
        })?;
        if original.procedure_code.as_deref() == Some(REFILL) {
            restore_next_refill(conn, &original, now)?;
        }
        if is_unscheduled(original.kind, original.procedure_code.as_deref()) {
            let lines: Vec<NewLine> = original
                .lines
                .iter()
                .map(|l| NewLine {
                    serial: l.serial.clone(),
                    line_index: l.line_index,
                    item: l.item_id,
                    lot: l.lot_id,
                    location: l.location_id,
                    delta: l.delta,
                    counted_quantity: None,
                })
                .collect();
            count_usage(conn, &lines, original.occurred_at.date(), -1)?;
        }
        // What a receipt counted against orders is taken back.
        let mut orders = Vec::new();
        for (line, order, units) in repo::orders::receipts_of(conn, id)? {
            repo::orders::lock(conn, order)?;
            repo::orders::count_receipt(conn, line, reversal, -units)?;
            orders.push(order);
        }
        orders.sort();
        orders.dedup();
        for order in orders {
            settle_order(conn, order, forecast, now)?;
        }
        let lots: Vec<_> = original.lines.iter().map(|l| l.lot_id).collect();
        evaluate_alerts::after_stock_change(conn, &pairs, &lots, forecast, now)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "movement.reverse",
                target_type: "movement",
                target_id: id.to_string(),
                summary: format!("reversed movement {id} by movement {reversal}"),
            },
        )?;
        repo::movements::find(conn, reversal)?.ok_or_else(|| {
            StorageError::Invariant(format!("reversal {reversal} vanished inside its own transaction")).into()
        })
    })
}

/// A dispensation is undone only for what the patient still holds of it, like a return, and
/// only while those units are still out (a return that named no patient may have brought them
/// back): otherwise the units would come back to the shelf twice.
fn check_still_held(
    conn: &mut DbConnection,
    patient: PatientId,
    original: &Movement,
) -> Result<(), ReverseMovementError> {
    let wanted = || original.lines.iter().map(|l| (l.lot_id, -l.delta));
    if let Some((lot, held)) = first_not_held(conn, patient, wanted())? {
        return Err(ReverseMovementError::NoLongerHeld { lot, held });
    }
    match first_not_out(conn, wanted())? {
        Some((lot, out)) => Err(ReverseMovementError::NoLongerOut { lot, out }),
        None => Ok(()),
    }
}

/// A receipt is undone only while every pack it registered is still in stock where it put
/// them: a pack already dispensed, moved or wasted would otherwise be forgotten while it is out,
/// and could be received and dispensed again.
fn check_serials_in_place(conn: &mut DbConnection, original: &Movement) -> Result<(), ReverseMovementError> {
    let Some(location) = original.location_id else {
        return Ok(());
    };
    match repo::serials::received_by_and_moved(conn, original.id, location)?
        .into_iter()
        .next()
    {
        Some(found) => Err(ReverseMovementError::SerialMoved {
            serial: found.serial.clone(),
            lot: found.lot_id,
            found: Some(found),
        }),
        None => Ok(()),
    }
}

/// A reversed refill gives the patient back the next refill date it replaced, unless something
/// (a later refill, an edit) has moved the date since.
fn restore_next_refill(
    conn: &mut DbConnection,
    original: &Movement,
    now: NaiveDateTime,
) -> Result<(), ReverseMovementError> {
    let Some((patient, before, after)) = repo::patients::refill_move(conn, original.id)? else {
        return Ok(());
    };
    let current = repo::patients::find(conn, patient)?.and_then(|p| p.next_refill_on);
    if current == Some(after) {
        let changes = PatientChanges {
            next_refill_on: Some(before),
            ..PatientChanges::default()
        };
        repo::patients::update(conn, patient, &changes, now)?;
    }
    Ok(())
}

/// The ledger line a reversal writes for one line of the original.
fn reversed_line(line: &MovementLine) -> NewLine {
    NewLine {
        serial: line.serial.clone(),
        line_index: line.line_index,
        item: line.item_id,
        lot: line.lot_id,
        location: line.location_id,
        delta: -line.delta,
        counted_quantity: None,
    }
}

/// Takes the original's serials back where they were: a receipt's registered serials are
/// forgotten, a scanned pack goes back along its step.
fn put_serials_back(conn: &mut DbConnection, original: &Movement) -> Result<(), ReverseMovementError> {
    if original.kind == MovementKind::Receipt {
        repo::serials::remove_received_by(conn, original.id)?;
        return Ok(());
    }
    let Some(location) = original.location_id else {
        return Ok(());
    };
    let step = serial_step(original.kind, location, original.to_location_id, original.patient_id);
    let Some((from, to)) = step else { return Ok(()) };
    let mut done = Vec::new();
    for line in &original.lines {
        let Some(serial) = line.serial.as_deref() else { continue };
        if done.contains(&line.line_index) {
            continue;
        }
        done.push(line.line_index);
        if !repo::serials::move_serial(conn, line.item_id, serial, line.lot_id, to, from)? {
            return Err(ReverseMovementError::SerialMoved {
                serial: serial.to_owned(),
                lot: line.lot_id,
                found: repo::serials::find(conn, line.item_id, serial)?,
            });
        }
    }
    Ok(())
}
