use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamp};

use super::{corrupt, is_unique_violation, on_backend};
use crate::db::schema::{lot_serials, lots};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId};
use crate::domain::ledger::{Lot, LotStatus};
use crate::domain::page::{Page, PageRequest};

#[derive(Queryable)]
struct LotRow {
    id: i64,
    item_id: i64,
    lot_number: String,
    expires_on: NaiveDate,
    status: String,
    status_reason: Option<String>,
    _created_at: chrono::NaiveDateTime,
    _updated_at: chrono::NaiveDateTime,
    _first_received_at: Option<chrono::NaiveDateTime>,
}

impl LotRow {
    fn into_lot(self, serials: Vec<String>) -> QueryResult<Lot> {
        Ok(Lot {
            id: LotId(self.id),
            item_id: ItemId(self.item_id),
            status: LotStatus::parse(&self.status).ok_or_else(|| corrupt("lot status", &self.status))?,
            lot_number: self.lot_number,
            expires_on: self.expires_on,
            status_reason: self.status_reason,
            serials,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct LotFilter {
    pub item: Option<ItemId>,
    pub status: Option<LotStatus>,
    /// Lots expiring strictly before this date.
    pub expires_before: Option<NaiveDate>,
}

pub fn find(conn: &mut DbConnection, id: LotId) -> QueryResult<Option<Lot>> {
    let row: Option<LotRow> = lots::table.find(id.0).first(conn).optional()?;
    match row {
        None => Ok(None),
        Some(row) => {
            let serials = serials_of(conn, id)?;
            row.into_lot(serials).map(Some)
        }
    }
}

/// Every item's lot numbered `lot_number` (a number is unique per item only).
pub fn numbered(conn: &mut DbConnection, lot_number: &str) -> QueryResult<Vec<Lot>> {
    let rows: Vec<LotRow> = lots::table
        .filter(lots::lot_number.eq(lot_number))
        .order(lots::id)
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let id = LotId(row.id);
            row.into_lot(serials_of(conn, id)?)
        })
        .collect()
}

/// The lot of `item` numbered `lot_number`, if it was ever received.
pub fn id_by_number(conn: &mut DbConnection, item: ItemId, lot_number: &str) -> QueryResult<Option<LotId>> {
    lots::table
        .filter(lots::item_id.eq(item.0))
        .filter(lots::lot_number.eq(lot_number))
        .select(lots::id)
        .first::<i64>(conn)
        .optional()
        .map(|id| id.map(LotId))
}

/// Finds the lot of `item` numbered `lot_number`, creating it (available) when it is new, and
/// records a receipt of it dated `received_at` (the lot's first receipt is the earliest).
/// Concurrent receipts of the same new lot create it once.
pub fn find_or_create(
    conn: &mut DbConnection,
    item: ItemId,
    lot_number: &str,
    expires_on: NaiveDate,
    received_at: NaiveDateTime,
    at: NaiveDateTime,
) -> QueryResult<Lot> {
    on_backend!(
        conn,
        "INSERT INTO lots (item_id, lot_number, expires_on, status, created_at, updated_at, first_received_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id, lot_number) DO UPDATE \
         SET first_received_at = excluded.first_received_at \
         WHERE lots.first_received_at IS NULL OR lots.first_received_at > excluded.first_received_at",
        |q, c| q
            .bind::<BigInt, _>(item.0)
            .bind::<Text, _>(lot_number)
            .bind::<Date, _>(expires_on)
            .bind::<Text, _>(LotStatus::Available.as_str())
            .bind::<Timestamp, _>(at)
            .bind::<Timestamp, _>(at)
            .bind::<Timestamp, _>(received_at)
            .execute(c)
    )?;
    let row: LotRow = lots::table
        .filter(lots::item_id.eq(item.0))
        .filter(lots::lot_number.eq(lot_number))
        .first(conn)?;
    let id = LotId(row.id);
    row.into_lot(serials_of(conn, id)?)
}

pub fn list(conn: &mut DbConnection, filter: &LotFilter, page: PageRequest) -> QueryResult<Page<Lot>> {
    let mut query = lots::table
        .into_boxed()
        .order(lots::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(lots::id.gt(after));
    }
    if let Some(item) = filter.item {
        query = query.filter(lots::item_id.eq(item.0));
    }
    if let Some(status) = filter.status {
        query = query.filter(lots::status.eq(status.as_str()));
    }
    if let Some(before) = filter.expires_before {
        query = query.filter(lots::expires_on.lt(before));
    }
    let rows: Vec<LotRow> = query.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut serials: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    let pairs: Vec<(i64, String)> = lot_serials::table
        .select((lot_serials::lot_id, lot_serials::serial))
        .filter(lot_serials::lot_id.eq_any(ids))
        .order((lot_serials::lot_id, lot_serials::serial))
        .load(conn)?;
    for (lot, serial) in pairs {
        serials.entry(lot).or_default().push(serial);
    }
    let lots = rows
        .into_iter()
        .map(|row| {
            let own = serials.remove(&row.id).unwrap_or_default();
            row.into_lot(own)
        })
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(Page::from_rows(lots, page, |l| l.id.0))
}

pub fn set_status(
    conn: &mut DbConnection,
    id: LotId,
    status: LotStatus,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<Lot>> {
    let touched = diesel::update(lots::table.find(id.0))
        .set((
            lots::status.eq(status.as_str()),
            lots::status_reason.eq(reason),
            lots::updated_at.eq(at),
        ))
        .execute(conn)?;
    if touched == 0 {
        return Ok(None);
    }
    find(conn, id)
}

fn serials_of(conn: &mut DbConnection, lot: LotId) -> QueryResult<Vec<String>> {
    lot_serials::table
        .select(lot_serials::serial)
        .filter(lot_serials::lot_id.eq(lot.0))
        .order(lot_serials::serial)
        .load(conn)
}

/// Records a received serial; `Ok(false)` when that serial of that item was received before.
pub fn add_serial(
    conn: &mut DbConnection,
    item: ItemId,
    lot: LotId,
    movement: MovementId,
    location: LocationId,
    serial: &str,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(lot_serials::table)
        .values((
            lot_serials::item_id.eq(item.0),
            lot_serials::serial.eq(serial),
            lot_serials::lot_id.eq(lot.0),
            lot_serials::movement_id.eq(movement.0),
            lot_serials::location_id.eq(location.0),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// When the lot first arrived: the earliest `occurred_at` of a receipt of it.
pub fn first_received_at(conn: &mut DbConnection, lot: LotId) -> QueryResult<Option<NaiveDateTime>> {
    let found: Option<Option<NaiveDateTime>> = lots::table
        .find(lot.0)
        .select(lots::first_received_at)
        .first(conn)
        .optional()?;
    Ok(found.flatten())
}

/// Locks these lots' rows until the transaction ends (PostgreSQL; SQLite's write transaction
/// holds the database), in one order: what is out of a lot with patients is checked and written
/// by one movement at a time.
pub fn lock(conn: &mut DbConnection, ids: &[LotId]) -> QueryResult<()> {
    if !matches!(conn, DbConnection::Pg(_)) {
        return Ok(());
    }
    let mut sorted = ids.to_vec();
    sorted.sort();
    sorted.dedup();
    for lot in sorted {
        on_backend!(conn, "SELECT id FROM lots WHERE id = ? FOR UPDATE", |q, c| q
            .bind::<BigInt, _>(lot.0)
            .execute(c))?;
    }
    Ok(())
}
