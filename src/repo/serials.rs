//! Serialised packs: where each is, and moving one from place to place by a conditional update
//! (two movements of one serial at once: the second finds it gone and changes nothing).

use diesel::prelude::*;

use crate::db::schema::{lot_serials, lots, movement_lines, movements};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{MovementKind, SerialEvent, SerialPlace, SerialRecord};

use super::corrupt;

type Row = (i64, String, i64, String, String, Option<i64>, Option<i64>);

fn record(row: Row) -> QueryResult<SerialRecord> {
    let (item, serial, lot, lot_number, state, location, patient) = row;
    let place = match (state.as_str(), location) {
        ("in_stock", Some(location)) => SerialPlace::InStock(LocationId(location)),
        ("dispensed", _) => SerialPlace::Dispensed(patient.map(PatientId)),
        ("wasted", _) => SerialPlace::Wasted,
        _ => return Err(corrupt("serial state", &state)),
    };
    Ok(SerialRecord {
        item_id: ItemId(item),
        serial,
        lot_id: LotId(lot),
        lot_number,
        place,
    })
}

macro_rules! select_records {
    () => {
        lot_serials::table.inner_join(lots::table).select((
            lot_serials::item_id,
            lot_serials::serial,
            lot_serials::lot_id,
            lots::lot_number,
            lot_serials::state,
            lot_serials::location_id,
            lot_serials::patient_id,
        ))
    };
}

pub fn find(conn: &mut DbConnection, item: ItemId, serial: &str) -> QueryResult<Option<SerialRecord>> {
    let row: Option<Row> = select_records!()
        .filter(lot_serials::item_id.eq(item.0))
        .filter(lot_serials::serial.eq(serial))
        .first(conn)
        .optional()?;
    row.map(record).transpose()
}

/// Every item's pack with this serial (a serial is unique per item only).
pub fn named(conn: &mut DbConnection, serial: &str) -> QueryResult<Vec<SerialRecord>> {
    let rows: Vec<Row> = select_records!()
        .filter(lot_serials::serial.eq(serial))
        .order(lot_serials::item_id)
        .load(conn)?;
    rows.into_iter().map(record).collect()
}

pub fn of_lot(conn: &mut DbConnection, lot: LotId) -> QueryResult<Vec<SerialRecord>> {
    let rows: Vec<Row> = select_records!()
        .filter(lot_serials::lot_id.eq(lot.0))
        .order(lot_serials::serial)
        .load(conn)?;
    rows.into_iter().map(record).collect()
}

/// Moves a pack from `from` to `to`; `Ok(false)` when it is not at `from` (nothing changes).
pub fn move_serial(
    conn: &mut DbConnection,
    item: ItemId,
    serial: &str,
    lot: LotId,
    from: SerialPlace,
    to: SerialPlace,
) -> QueryResult<bool> {
    let target = lot_serials::table
        .filter(lot_serials::item_id.eq(item.0))
        .filter(lot_serials::serial.eq(serial))
        .filter(lot_serials::lot_id.eq(lot.0))
        .filter(lot_serials::state.eq(from.state()));
    let location = match to {
        SerialPlace::InStock(location) => Some(location.0),
        SerialPlace::Dispensed(_) | SerialPlace::Wasted => None,
    };
    let set = (lot_serials::state.eq(to.state()), lot_serials::location_id.eq(location));
    // The patient column keeps who had the pack last; a return without a patient keeps it.
    let changed = match (from, to) {
        (SerialPlace::InStock(at), SerialPlace::Dispensed(Some(patient))) => {
            diesel::update(target.filter(lot_serials::location_id.eq(at.0)))
                .set((set, lot_serials::patient_id.eq(patient.0)))
                .execute(conn)?
        }
        (SerialPlace::InStock(at), _) => diesel::update(target.filter(lot_serials::location_id.eq(at.0)))
            .set(set)
            .execute(conn)?,
        (SerialPlace::Dispensed(Some(patient)), _) => {
            diesel::update(target.filter(lot_serials::patient_id.eq(patient.0)))
                .set(set)
                .execute(conn)?
        }
        (SerialPlace::Dispensed(None) | SerialPlace::Wasted, _) => diesel::update(target).set(set).execute(conn)?,
    };
    Ok(changed == 1)
}

/// Forgets the serials a receipt registered (its reversal).
pub fn remove_received_by(conn: &mut DbConnection, movement: MovementId) -> QueryResult<usize> {
    diesel::delete(lot_serials::table.filter(lot_serials::movement_id.eq(movement.0))).execute(conn)
}

/// The receipt that registered this item's serial, then every ledger line that moved it, oldest
/// first.
pub fn history(conn: &mut DbConnection, item: ItemId, serial: &str) -> QueryResult<Vec<SerialEvent>> {
    let received: Option<(i64, chrono::NaiveDateTime, Option<i64>)> = lot_serials::table
        .inner_join(movements::table.on(movements::id.eq(lot_serials::movement_id)))
        .filter(lot_serials::item_id.eq(item.0))
        .filter(lot_serials::serial.eq(serial))
        .select((movements::id, movements::occurred_at, movements::location_id))
        .first(conn)
        .optional()?;
    let mut events: Vec<SerialEvent> = received
        .into_iter()
        .map(|(id, occurred_at, location)| SerialEvent {
            movement_id: MovementId(id),
            kind: MovementKind::Receipt,
            occurred_at,
            location_id: LocationId(location.unwrap_or_default()),
            delta: 1,
            patient_id: None,
        })
        .collect();
    let rows: Vec<(i64, String, chrono::NaiveDateTime, i64, i64, Option<i64>)> = movement_lines::table
        .inner_join(movements::table)
        .filter(movement_lines::item_id.eq(item.0))
        .filter(movement_lines::serial.eq(serial))
        .order((movements::occurred_at, movement_lines::id))
        .select((
            movements::id,
            movements::kind,
            movements::occurred_at,
            movement_lines::location_id,
            movement_lines::delta,
            movements::patient_id,
        ))
        .load(conn)?;
    let moved: QueryResult<Vec<SerialEvent>> = rows
        .into_iter()
        .map(|(id, kind, occurred_at, location, delta, patient)| {
            Ok(SerialEvent {
                movement_id: MovementId(id),
                kind: MovementKind::parse(&kind).ok_or_else(|| corrupt("movement kind", &kind))?,
                occurred_at,
                location_id: LocationId(location),
                delta,
                patient_id: patient.map(PatientId),
            })
        })
        .collect();
    events.extend(moved?);
    Ok(events)
}
