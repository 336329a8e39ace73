//! Serialised packs: where each is, and moving one from place to place by a conditional update
//! (two movements of one serial at once: the second finds it gone and changes nothing).

use diesel::prelude::*;

use crate::db::schema::{lot_serials, lots, movement_lines, movements};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{MovementKind, SerialEvent, SerialPlace, SerialRecord};

use diesel::sql_types::BigInt;

use super::{corrupt, on_backend};

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

/// How many of the lot's serialised packs the registry has in stock at `location`.
pub fn in_stock_at(conn: &mut DbConnection, lot: LotId, location: LocationId) -> QueryResult<i64> {
    lot_serials::table
        .filter(lot_serials::lot_id.eq(lot.0))
        .filter(lot_serials::location_id.eq(location.0))
        .filter(lot_serials::state.eq(SerialPlace::InStock(location).state()))
        .count()
        .get_result(conn)
}

/// Marks `count` of the lot's packs in stock at `location` as wasted (the lowest serials first):
/// units destroyed by a decision that names no pack. Returns how many were marked.
pub fn waste_in_stock(conn: &mut DbConnection, lot: LotId, location: LocationId, count: i64) -> QueryResult<usize> {
    let in_stock = SerialPlace::InStock(location).state();
    let chosen: Vec<(i64, String)> = lot_serials::table
        .filter(lot_serials::lot_id.eq(lot.0))
        .filter(lot_serials::location_id.eq(location.0))
        .filter(lot_serials::state.eq(in_stock))
        .order(lot_serials::serial)
        .limit(count.max(0))
        .select((lot_serials::item_id, lot_serials::serial))
        .load(conn)?;
    let mut marked = 0;
    for (item, serial) in chosen {
        marked += diesel::update(
            lot_serials::table
                .filter(lot_serials::item_id.eq(item))
                .filter(lot_serials::serial.eq(serial)),
        )
        .set((
            lot_serials::state.eq(SerialPlace::Wasted.state()),
            lot_serials::location_id.eq(None::<i64>),
        ))
        .execute(conn)?;
    }
    Ok(marked)
}

/// The serials a receipt registered that are no longer in stock where it put them.
pub fn received_by_and_moved(
    conn: &mut DbConnection,
    movement: MovementId,
    location: LocationId,
) -> QueryResult<Vec<SerialRecord>> {
    let rows: Vec<Row> = select_records!()
        .filter(lot_serials::movement_id.eq(movement.0))
        .filter(
            lot_serials::state
                .ne(SerialPlace::InStock(location).state())
                .or(lot_serials::location_id.ne(location.0))
                .or(lot_serials::location_id.is_null()),
        )
        .order(lot_serials::serial)
        .load(conn)?;
    rows.into_iter().map(record).collect()
}

#[derive(QueryableByName)]
struct BeyondBalance {
    #[diesel(sql_type = BigInt)]
    lot_id: i64,
    #[diesel(sql_type = BigInt)]
    location_id: i64,
    #[diesel(sql_type = BigInt)]
    serials: i64,
    #[diesel(sql_type = BigInt)]
    quantity: i64,
}

/// (lot, location, serials in stock, balance) wherever the registry has more packs in stock at a
/// place than the balance there holds units. Must be empty.
pub fn beyond_balance(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i64, i64)>> {
    let rows: Vec<BeyondBalance> = on_backend!(
        conn,
        "SELECT s.lot_id AS lot_id, s.location_id AS location_id, CAST(COUNT(*) AS BIGINT) AS serials, \
         CAST(COALESCE(MAX(b.quantity), 0) AS BIGINT) AS quantity \
         FROM lot_serials s LEFT JOIN balances b ON b.lot_id = s.lot_id AND b.location_id = s.location_id \
         WHERE s.state = 'in_stock' GROUP BY s.lot_id, s.location_id \
         HAVING COUNT(*) > COALESCE(MAX(b.quantity), 0) ORDER BY s.lot_id, s.location_id",
        |q, c| q.load(c)
    )?;
    Ok(rows
        .into_iter()
        .map(|r| (r.lot_id, r.location_id, r.serials, r.quantity))
        .collect())
}

#[derive(QueryableByName)]
struct OutTwice {
    #[diesel(sql_type = BigInt)]
    item_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    serial: String,
    #[diesel(sql_type = BigInt)]
    out: i64,
}

/// (item, serial, packs out) wherever the ledger has one serial out with patients more than
/// once at a time (dispensed twice without a return between). Must be empty.
pub fn out_more_than_once(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, i64)>> {
    let rows: Vec<OutTwice> = on_backend!(
        conn,
        "SELECT l.item_id AS item_id, l.serial AS serial, CAST(-SUM(l.delta) AS BIGINT) AS out \
         FROM movement_lines l JOIN movements m ON m.id = l.movement_id \
         LEFT JOIN movements o ON o.id = m.reverses_movement_id \
         WHERE l.serial IS NOT NULL AND (m.patient_id IS NOT NULL OR COALESCE(o.kind, m.kind) = 'return') \
         GROUP BY l.item_id, l.serial HAVING -SUM(l.delta) > 1 ORDER BY l.item_id, l.serial",
        |q, c| q.load(c)
    )?;
    Ok(rows.into_iter().map(|r| (r.item_id, r.serial, r.out)).collect())
}

/// (lot, packs) of `item`'s serialised packs in stock at `location` in lots usable on `on`,
/// earliest expiry first.
pub fn usable_in_stock(
    conn: &mut DbConnection,
    item: ItemId,
    location: LocationId,
    on: chrono::NaiveDate,
) -> QueryResult<Vec<(LotId, i64)>> {
    let rows: Vec<(i64, i64)> = lot_serials::table
        .inner_join(lots::table)
        .filter(lot_serials::item_id.eq(item.0))
        .filter(lot_serials::location_id.eq(location.0))
        .filter(lot_serials::state.eq(SerialPlace::InStock(location).state()))
        .filter(lots::status.eq(crate::domain::ledger::LotStatus::Available.as_str()))
        .filter(lots::expires_on.ge(on))
        .group_by((lots::id, lots::expires_on))
        .order((lots::expires_on, lots::id))
        .select((lots::id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(lot, packs)| (LotId(lot), packs)).collect())
}
