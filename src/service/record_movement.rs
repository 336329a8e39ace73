//! Recording a movement: every line applied to the balances and written to the ledger in one
//! transaction, or nothing at all. validate → lock → plan and write → alerts and audit.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::Named;
use crate::domain::forecast::{is_unscheduled, ForecastPolicy};
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, OrderId, PatientId};
use crate::domain::ledger::{
    plan_fefo, serial_step, serials_fit, unusable, DrawLine, Insufficient, LineRef, Movement, MovementRequest,
    NewMovement, ReceiptLine, SerialPlace, SerialRecord, Unusable,
};
use crate::domain::patient::PatientStatus;
use crate::domain::policy::Policy;
use crate::domain::supply::{status_after_receipts, OrderStatus};
use crate::domain::time::Backdating;
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::repo::audit::{self, AuditEntry};
use crate::repo::movements::{MovementHeader, NewLine};
use crate::repo::{self};

use super::evaluate_alerts;

#[derive(Debug, thiserror::Error)]
pub enum RecordMovementError {
    #[error("invalid movement")]
    Invalid(FieldErrors),
    #[error("a movement dated {days} days back needs the admin role (ledger.max_backdate_days is {max})")]
    BackdatingNotAllowed { days: i64, max: u32 },
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
    #[error("serial {serial} {}", describe(.found.as_ref(), *.lot))]
    SerialUnavailable {
        serial: String,
        lot: LotId,
        found: Option<SerialRecord>,
    },
    #[error("only {returnable} unit(s) of lot {lot} are held by the patient")]
    ReturnExceedsDispensed { lot: LotId, returnable: i64 },
    #[error("only {out} unit(s) of lot {lot} are out with patients: no more can come back")]
    ReturnExceedsOut { lot: LotId, out: i64 },
    #[error(
        "{serials} unit(s) of lot {lot} at location {location} are serialised packs: scan each pack that leaves (the balance there would hold {quantity})"
    )]
    SerialRequired {
        lot: LotId,
        location: LocationId,
        serials: i64,
        quantity: i64,
    },
    #[error("order {order} is {} and receives nothing more", .status.as_str())]
    OrderClosed { order: OrderId, status: OrderStatus },
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(RecordMovementError);

type Result<T> = std::result::Result<T, RecordMovementError>;

/// Where a serial is, said to the technician whose scan could not move it.
pub(crate) fn describe(found: Option<&SerialRecord>, lot: LotId) -> String {
    match found {
        None => "was never received for this item".into(),
        Some(f) if f.lot_id != lot => format!("belongs to lot {}, not to the lot scanned", f.lot_number),
        Some(f) => match f.place {
            SerialPlace::InStock(location) => {
                format!("is in stock at location {location}, not where this movement takes it from")
            }
            SerialPlace::Dispensed(Some(patient)) => format!("is out: it was dispensed to patient {patient}"),
            SerialPlace::Dispensed(None) => "is out: it was dispensed".into(),
            SerialPlace::Wasted => "was wasted".into(),
        },
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> RecordMovementError {
    RecordMovementError::Invalid(FieldErrors::single(field, message))
}

pub fn record_movement(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    policy: Policy,
    new: NewMovement,
) -> Result<Movement> {
    write_tx(conn, |conn| {
        let id = record_in_tx(conn, actor, now, policy, &new)?;
        repo::movements::find(conn, id)?
            .ok_or_else(|| StorageError::Invariant(format!("movement {id} vanished inside its own transaction")).into())
    })
}

/// Records `new` inside the caller's transaction; returns its id.
pub(crate) fn record_in_tx(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    policy: Policy,
    new: &NewMovement,
) -> Result<MovementId> {
    validate(conn, actor, now, policy, new)?;
    lock(conn, &new.request)?;
    let id = write_header(conn, actor, now, new)?;
    // Serials first: a pack scanned where it is not says so, rather than "not enough stock".
    let serials = move_serials(conn, &new.request)?;
    let mut lines = apply(conn, id, now, new)?;
    check_serials_fit(conn, &lines)?;
    for line in lines.iter_mut() {
        line.serial = serials.get(&(line.line_index as usize)).cloned();
    }
    for line in &lines {
        repo::movements::insert_line(conn, id, line)?;
    }
    let kind = new.request.kind();
    if is_unscheduled(kind, new.procedure_code.as_deref()) {
        count_usage(conn, &lines, new.occurred_at.date(), 1)?;
    }
    if let MovementRequest::Receipt { lines: received, .. } = &new.request {
        count_against_orders(conn, id, received, policy.forecast, now)?;
    }
    let pairs: Vec<(ItemId, LocationId)> = lines.iter().map(|l| (l.item, l.location)).collect();
    let lots: Vec<LotId> = lines.iter().map(|l| l.lot).collect();
    evaluate_alerts::after_stock_change(conn, &pairs, &lots, policy.forecast, now)?;
    audit::record(
        conn,
        actor,
        now,
        AuditEntry {
            action: "movement.create",
            target_type: "movement",
            target_id: id.to_string(),
            summary: format!(
                "recorded {} movement {id} at location {}",
                kind.as_str(),
                new.request.location()
            ),
        },
    )?;
    Ok(id)
}

/// Everything that can make the request invalid, checked before any stock moves, so a request
/// that is both invalid and short of stock gets 422, with all its invalid fields at once.
fn validate(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    policy: Policy,
    new: &NewMovement,
) -> Result<()> {
    if let Backdating::NeedsAdmin { days } = policy.backdate.judge(actor.role, new.occurred_at, now) {
        return Err(RecordMovementError::BackdatingNotAllowed {
            days,
            max: policy.backdate.max_days,
        });
    }
    let request = &new.request;
    let mut errors = FieldErrors::default();
    check_location(conn, request.location(), "location_id", &mut errors)?;
    if let Some(to) = request.to_location() {
        check_location(conn, to, "to_location_id", &mut errors)?;
    }
    let mut inactive_patient = None;
    if let Some(patient) = request.patient() {
        match repo::patients::find(conn, patient)? {
            None => errors.push(FieldError::new("patient_id", "no such patient")),
            Some(found)
                if matches!(request, MovementRequest::Dispense { .. }) && found.status != PatientStatus::Active =>
            {
                inactive_patient = Some(patient);
            }
            Some(_) => {}
        }
    }
    let on = new.occurred_at.date();
    for line in request.line_refs() {
        check_line(conn, line, request.receives(), new.occurred_at, &mut errors)?;
    }
    if let MovementRequest::Receipt { lines, .. } = request {
        for (i, line) in lines.iter().enumerate() {
            if line.expires_on < on {
                errors.push(FieldError::new(format!("lines[{i}].expires_on"), "is already past"));
            }
            if let Some(order_line) = line.order_line {
                let field = format!("lines[{i}].order_line_id");
                match repo::orders::line_owner(conn, order_line)? {
                    None => errors.push(FieldError::new(field, "no such order line")),
                    Some((_, item)) if item != line.item => {
                        errors.push(FieldError::new(field, "the order line belongs to another item"))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    errors.finish(|| Some(())).map_err(RecordMovementError::Invalid)?;
    match inactive_patient {
        Some(patient) => Err(RecordMovementError::PatientNotActive(patient)),
        None => Ok(()),
    }
}

fn check_location(conn: &mut DbConnection, id: LocationId, field: &str, errors: &mut FieldErrors) -> Result<()> {
    match repo::locations::find(conn, id)? {
        None => errors.push(FieldError::new(field, "no such location")),
        Some(location) if !location.active => errors.push(FieldError::new(field, "the location is inactive")),
        Some(_) => {}
    }
    Ok(())
}

/// A line's item must exist (and be active to be received); its lot must exist, belong to the
/// item, and have been received before the movement is dated.
fn check_line(
    conn: &mut DbConnection,
    line: LineRef,
    receiving: bool,
    occurred_at: NaiveDateTime,
    errors: &mut FieldErrors,
) -> Result<()> {
    let i = line.index;
    match repo::items::active_flag(conn, line.item)? {
        None => errors.push(FieldError::new(format!("lines[{i}].item_id"), "no such item")),
        Some(false) if receiving => errors.push(FieldError::new(format!("lines[{i}].item_id"), "the item is inactive")),
        Some(_) => {}
    }
    let Some(lot) = line.lot else { return Ok(()) };
    match repo::lots::find(conn, lot)? {
        None => errors.push(FieldError::new(format!("lines[{i}].lot_id"), "no such lot")),
        Some(found) if found.item_id != line.item => errors.push(FieldError::new(
            format!("lines[{i}].lot_id"),
            "the lot belongs to another item",
        )),
        Some(_) => check_received_by(conn, lot, occurred_at, &format!("lines[{i}].lot_id"), errors)?,
    }
    Ok(())
}

/// Nothing can leave, be counted or come back before the lot first arrived.
fn check_received_by(
    conn: &mut DbConnection,
    lot: LotId,
    occurred_at: NaiveDateTime,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<()> {
    if let Some(first) = repo::lots::first_received_at(conn, lot)? {
        if occurred_at < first {
            errors.push(FieldError::new(
                field,
                format!("the movement is dated before the lot's first receipt ({first})"),
            ));
        }
    }
    Ok(())
}

/// Locks what the movement reads before it writes (PostgreSQL), always patient → lots →
/// balances: the patient and the lots whose holdings a return checks, then the balances of
/// every (item, location) it touches, in one order.
fn lock(conn: &mut DbConnection, request: &MovementRequest) -> Result<()> {
    if let MovementRequest::Return { patient, lines, .. } = request {
        if let Some(patient) = patient {
            repo::patients::lock(conn, *patient)?;
        }
        let lots: Vec<LotId> = lines.iter().map(|l| l.lot).collect();
        repo::lots::lock(conn, &lots)?;
    }
    repo::balances::lock(conn, &request.touched())?;
    Ok(())
}

fn write_header(conn: &mut DbConnection, actor: &Actor, now: NaiveDateTime, new: &NewMovement) -> Result<MovementId> {
    let reason = match &new.request {
        MovementRequest::Waste { reason, .. } => Some(reason.as_str().to_owned()),
        _ => new.reason.clone(),
    };
    let header = MovementHeader {
        kind: new.request.kind(),
        occurred_at: new.occurred_at,
        recorded_at: now,
        location: Some(new.request.location()),
        to_location: new.request.to_location(),
        patient: new.request.patient(),
        reason: reason.as_deref(),
        reference: new.reference.as_deref(),
        note: new.note.as_deref(),
        actor,
        reverses: None,
        procedure_code: new.procedure_code.as_deref(),
    };
    repo::movements::insert(conn, &header)?
        .ok_or_else(|| StorageError::Invariant("a new movement collided with a reversal".into()).into())
}

/// Applies every line to the balances; returns the ledger lines that explain the changes.
fn apply(conn: &mut DbConnection, id: MovementId, now: NaiveDateTime, new: &NewMovement) -> Result<Vec<NewLine>> {
    let mut out = Vec::new();
    match &new.request {
        MovementRequest::Receipt { location, lines } => {
            for (i, line) in lines.iter().enumerate() {
                let lot = repo::lots::find_or_create(
                    conn,
                    line.item,
                    &line.lot_number,
                    line.expires_on,
                    new.occurred_at,
                    now,
                )?;
                if lot.expires_on != line.expires_on {
                    return Err(RecordMovementError::LotExpiryMismatch {
                        lot_number: lot.lot_number,
                        known: lot.expires_on,
                    });
                }
                for serial in &line.serials {
                    if !repo::lots::add_serial(conn, line.item, lot.id, id, *location, serial)? {
                        return Err(RecordMovementError::SerialAlreadyReceived { serial: serial.clone() });
                    }
                }
                let quantity = line.quantity.as_i64();
                repo::balances::add(conn, line.item, lot.id, *location, quantity, now)?;
                out.push(line_at(i, line.item, lot.id, *location, quantity));
            }
        }
        MovementRequest::Dispense { location, lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                for (lot, taken) in draw(conn, line, i, *location, new.occurred_at, now)? {
                    out.push(line_at(i, line.item, lot, *location, -taken));
                }
            }
        }
        MovementRequest::Transfer { from, to, lines } => {
            for (i, line) in lines.iter().enumerate() {
                for (lot, taken) in draw(conn, line, i, *from, new.occurred_at, now)? {
                    repo::balances::add(conn, line.item, lot, *to, taken, now)?;
                    out.push(line_at(i, line.item, lot, *from, -taken));
                    out.push(line_at(i, line.item, lot, *to, taken));
                }
            }
        }
        MovementRequest::Return {
            location,
            patient,
            lines,
        } => {
            let wanted = || lines.iter().map(|l| (l.lot, l.quantity.as_i64()));
            if let Some(patient) = patient {
                if let Some((lot, returnable)) = first_not_held(conn, *patient, wanted())? {
                    return Err(RecordMovementError::ReturnExceedsDispensed { lot, returnable });
                }
            }
            if let Some((lot, out)) = first_not_out(conn, wanted())? {
                return Err(RecordMovementError::ReturnExceedsOut { lot, out });
            }
            for (i, line) in lines.iter().enumerate() {
                let quantity = line.quantity.as_i64();
                repo::balances::add(conn, line.item, line.lot, *location, quantity, now)?;
                out.push(line_at(i, line.item, line.lot, *location, quantity));
            }
        }
        MovementRequest::Waste { location, lines, .. } => {
            for (i, line) in lines.iter().enumerate() {
                let quantity = line.quantity.as_i64();
                take_exactly(conn, line.item, line.lot, *location, quantity, now)?;
                out.push(line_at(i, line.item, line.lot, *location, -quantity));
            }
        }
        MovementRequest::Count { location, lines } => {
            for (i, line) in lines.iter().enumerate() {
                let current = repo::balances::quantity(conn, line.lot, *location)?;
                let delta = line.counted.as_i64() - current;
                if delta > 0 {
                    repo::balances::add(conn, line.item, line.lot, *location, delta, now)?;
                } else if delta < 0 {
                    take_exactly(conn, line.item, line.lot, *location, -delta, now)?;
                }
                let mut counted = line_at(i, line.item, line.lot, *location, delta);
                counted.counted_quantity = Some(line.counted.as_i64());
                out.push(counted);
            }
        }
    }
    Ok(out)
}

/// Moves each scanned serial from where the movement takes it to where it leaves it; returns
/// the serial of each request line that has one, for its ledger lines.
fn move_serials(conn: &mut DbConnection, request: &MovementRequest) -> Result<BTreeMap<usize, String>> {
    let mut moved = BTreeMap::new();
    let step = serial_step(
        request.kind(),
        request.location(),
        request.to_location(),
        request.patient(),
    );
    let Some((from, to)) = step else { return Ok(moved) };
    for (index, item, lot, serial) in request.serials() {
        let found = repo::serials::find(conn, item, serial)?;
        // A code without a lot number names its lot through the serial.
        let Some(lot) = lot.or(found.as_ref().map(|f| f.lot_id)) else {
            return Err(RecordMovementError::SerialUnavailable {
                serial: serial.to_owned(),
                lot: LotId(0),
                found,
            });
        };
        if !repo::serials::move_serial(conn, item, serial, lot, from, to)? {
            return Err(RecordMovementError::SerialUnavailable {
                serial: serial.to_owned(),
                lot,
                found: repo::serials::find(conn, item, serial)?,
            });
        }
        moved.insert(index, serial.to_owned());
    }
    Ok(moved)
}

/// Adds (`sign` 1) or takes back (`sign` -1, a reversal) the units the lines dispensed to each
/// item's unscheduled usage of `day`.
pub(crate) fn count_usage(
    conn: &mut DbConnection,
    lines: &[NewLine],
    day: NaiveDate,
    sign: i64,
) -> std::result::Result<(), StorageError> {
    let mut per_item: BTreeMap<ItemId, i64> = BTreeMap::new();
    for line in lines {
        *per_item.entry(line.item).or_default() -= line.delta;
    }
    for (item, units) in per_item {
        if units != 0 {
            repo::forecast::add_unscheduled(conn, item, day, sign * units)?;
        }
    }
    Ok(())
}

/// Counts the receipt's lines that name an order line against it; an order that is cancelled or
/// already received takes nothing more.
fn count_against_orders(
    conn: &mut DbConnection,
    movement: MovementId,
    lines: &[ReceiptLine],
    forecast: ForecastPolicy,
    now: NaiveDateTime,
) -> Result<()> {
    let mut orders: BTreeMap<OrderId, ()> = BTreeMap::new();
    for line in lines {
        let Some(order_line) = line.order_line else { continue };
        let Some((order, _)) = repo::orders::line_owner(conn, order_line)? else {
            continue;
        };
        if orders.insert(order, ()).is_none() {
            repo::orders::lock(conn, order)?;
            let status = repo::orders::find(conn, order)?
                .map(|o| o.status)
                .unwrap_or(OrderStatus::Cancelled);
            if !status.is_pending() {
                return Err(RecordMovementError::OrderClosed { order, status });
            }
        }
        repo::orders::count_receipt(conn, order_line, movement, line.quantity.as_i64())?;
    }
    for order in orders.into_keys() {
        settle_order(conn, order, forecast, now)?;
    }
    Ok(())
}

/// Sets an order's status from what its lines received (a cancelled order stays cancelled) and
/// re-evaluates its overdue alert.
pub(crate) fn settle_order(
    conn: &mut DbConnection,
    order: OrderId,
    forecast: ForecastPolicy,
    now: NaiveDateTime,
) -> std::result::Result<(), StorageError> {
    if let Some(found) = repo::orders::find(conn, order)? {
        if found.status != OrderStatus::Cancelled {
            let lines: Vec<(i64, i64)> = found.lines.iter().map(|l| (l.quantity, l.received_quantity)).collect();
            let status = status_after_receipts(&lines);
            if status != found.status {
                repo::orders::set_status(conn, order, status, now)?;
            }
        }
    }
    evaluate_alerts::evaluate_order(conn, order, forecast, now)
}

/// The first lot of which `patient` no longer holds the units wanted back (summed per lot),
/// with what the patient does hold; `None` when every unit is held. Returns and reversals of
/// dispenses use this; the caller has locked the patient.
pub(crate) fn first_not_held(
    conn: &mut DbConnection,
    patient: PatientId,
    wanted: impl Iterator<Item = (LotId, i64)>,
) -> std::result::Result<Option<(LotId, i64)>, StorageError> {
    let mut per_lot: BTreeMap<LotId, i64> = BTreeMap::new();
    for (lot, units) in wanted {
        *per_lot.entry(lot).or_default() += units;
    }
    for (lot, units) in per_lot {
        let holds = repo::patients::net_received(conn, patient, lot)?;
        if holds < units {
            return Ok(Some((lot, holds)));
        }
    }
    Ok(None)
}

/// The first lot of which fewer units are out with patients, all together, than want to come
/// back, with what is out; `None` when all may. Every return and every reversal of a
/// dispensation is bounded so, whether it names a patient or not: a unit comes back at most
/// once. The caller has locked the lots.
pub(crate) fn first_not_out(
    conn: &mut DbConnection,
    wanted: impl Iterator<Item = (LotId, i64)>,
) -> std::result::Result<Option<(LotId, i64)>, StorageError> {
    let mut per_lot: BTreeMap<LotId, i64> = BTreeMap::new();
    for (lot, units) in wanted {
        *per_lot.entry(lot).or_default() += units;
    }
    for (lot, units) in per_lot {
        let out = repo::patients::lot_out_with_patients(conn, lot)?;
        if out < units {
            return Ok(Some((lot, out.max(0))));
        }
    }
    Ok(None)
}

/// Where the lines took units, the balance must still hold every pack the serial registry has
/// in stock there: a line without a scan cannot take a serialised pack (nor a count go below
/// them), or the registry would send the pack out a second time.
pub(crate) fn check_serials_fit(conn: &mut DbConnection, lines: &[NewLine]) -> Result<()> {
    let mut taken: Vec<(LotId, LocationId)> = lines
        .iter()
        .filter(|l| l.delta < 0)
        .map(|l| (l.lot, l.location))
        .collect();
    taken.sort();
    taken.dedup();
    for (lot, location) in taken {
        let serials = repo::serials::in_stock_at(conn, lot, location)?;
        if serials == 0 {
            continue;
        }
        let quantity = repo::balances::quantity(conn, lot, location)?;
        if !serials_fit(quantity, serials) {
            return Err(RecordMovementError::SerialRequired {
                lot,
                location,
                serials,
                quantity,
            });
        }
    }
    Ok(())
}

fn line_at(index: usize, item: ItemId, lot: LotId, location: LocationId, delta: i64) -> NewLine {
    NewLine {
        serial: None,
        line_index: index as u32,
        item,
        lot,
        location,
        delta,
        counted_quantity: None,
    }
}

/// Takes a draw line's quantity from the named lot, or by FEFO; returns (lot, units) taken.
fn draw(
    conn: &mut DbConnection,
    line: &DrawLine,
    index: usize,
    location: LocationId,
    occurred_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Vec<(LotId, i64)>> {
    let on = occurred_at.date();
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
            take_exactly(conn, line.item, lot.id, location, wanted, now)?;
            Ok(vec![(lot.id, wanted)])
        }
        None => {
            let candidates = repo::balances::fefo_candidates(conn, line.item, location, on)?;
            let plan = match plan_fefo(&candidates, line.quantity) {
                Ok(plan) => plan,
                Err(shortfall) => {
                    let packs = repo::serials::usable_in_stock(conn, line.item, location, on)?;
                    return Err(match packs.first() {
                        // Enough on the shelf, but as serialised packs: those leave by their scan.
                        Some(&(lot, _)) if shortfall.available + packs.iter().map(|p| p.1).sum::<i64>() >= wanted => {
                            RecordMovementError::SerialRequired {
                                lot,
                                location,
                                serials: packs.iter().filter(|p| p.0 == lot).map(|p| p.1).sum(),
                                quantity: repo::balances::quantity(conn, lot, location)?,
                            }
                        }
                        _ => RecordMovementError::InsufficientStock(Insufficient {
                            item: line.item,
                            location,
                            requested: wanted,
                            available: shortfall.available,
                        }),
                    });
                }
            };
            let mut errors = FieldErrors::default();
            for (lot, _) in &plan {
                check_received_by(conn, *lot, occurred_at, "occurred_at", &mut errors)?;
            }
            errors.finish(|| Some(())).map_err(RecordMovementError::Invalid)?;
            for (lot, amount) in &plan {
                take_exactly(conn, line.item, *lot, location, *amount, now)?;
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
    now: NaiveDateTime,
) -> Result<()> {
    if repo::balances::take(conn, lot, location, amount, now)? {
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
