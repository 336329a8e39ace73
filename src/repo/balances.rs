//! Stored balances per (lot, location). Every change here happens in the same transaction as
//! the ledger line that explains it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamp};

use super::{corrupt, on_backend};
use crate::db::schema::{balances, lots, movement_lines};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, LocationId, LotId};
use crate::domain::ledger::{drawable_unscanned, FefoCandidate, LotStatus};
use crate::domain::stock::LotBalance;

/// `quantity > 0` written as a literal, so the planners can use the partial index
/// `balances_with_stock` (a bound parameter would hide that it matches the index's predicate).
fn with_stock() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    sql::<diesel::sql_types::Bool>("balances.quantity > 0")
}

/// Locks the balances of these (item, location) pairs until the transaction ends, always in
/// the same order so that two movements never wait on each other. PostgreSQL only: SQLite's
/// write transaction already holds the whole database.
pub fn lock(conn: &mut DbConnection, pairs: &[(ItemId, LocationId)]) -> QueryResult<()> {
    if !matches!(conn, DbConnection::Pg(_)) {
        return Ok(());
    }
    let mut sorted = pairs.to_vec();
    sorted.sort();
    sorted.dedup();
    for (item, location) in sorted {
        on_backend!(
            conn,
            "SELECT lot_id FROM balances WHERE item_id = ? AND location_id = ? ORDER BY lot_id FOR UPDATE",
            |q, c| q.bind::<BigInt, _>(item.0).bind::<BigInt, _>(location.0).execute(c)
        )?;
    }
    Ok(())
}

/// Lots of `item` with stock at `location` that may be dispensed on `on`.
pub fn fefo_candidates(
    conn: &mut DbConnection,
    item: ItemId,
    location: LocationId,
    on: NaiveDate,
) -> QueryResult<Vec<FefoCandidate>> {
    let rows = balances::table
        .inner_join(lots::table)
        .filter(balances::item_id.eq(item.0))
        .filter(balances::location_id.eq(location.0))
        .filter(with_stock())
        .filter(lots::status.eq(LotStatus::Available.as_str()))
        .filter(lots::expires_on.ge(on))
        .order((lots::expires_on.asc(), lots::id.asc()))
        .select((
            lots::id,
            lots::expires_on,
            balances::quantity,
            balances::held,
            sql::<BigInt>(
                "CAST((SELECT COUNT(*) FROM lot_serials s WHERE s.lot_id = balances.lot_id \
                 AND s.location_id = balances.location_id AND s.state = 'in_stock') AS BIGINT)",
            ),
        ))
        .load::<(i64, NaiveDate, i64, i64, i64)>(conn)?;
    // Units held after a cold-chain excursion are never drawn, nor, without their scan, the
    // serialised packs.
    Ok(rows
        .into_iter()
        .map(|(lot, expires_on, quantity, held, serials)| {
            (lot, expires_on, drawable_unscanned(quantity, held, serials))
        })
        .filter(|(_, _, quantity)| *quantity > 0)
        .map(|(lot, expires_on, quantity)| FefoCandidate {
            lot: LotId(lot),
            expires_on,
            quantity,
        })
        .collect())
}

pub fn quantity(conn: &mut DbConnection, lot: LotId, location: LocationId) -> QueryResult<i64> {
    let found: Option<i64> = balances::table
        .find((lot.0, location.0))
        .select(balances::quantity)
        .first(conn)
        .optional()?;
    Ok(found.unwrap_or(0))
}

/// Takes `amount` from the balance only while at least that much remains outside any hold: one
/// conditional statement, so concurrent takers can never drive it below zero (nor below what is
/// held). `false` when it could not.
pub fn take(
    conn: &mut DbConnection,
    lot: LotId,
    location: LocationId,
    amount: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let touched = diesel::update(
        balances::table
            .filter(balances::lot_id.eq(lot.0))
            .filter(balances::location_id.eq(location.0))
            .filter((balances::quantity - balances::held).ge(amount)),
    )
    .set((
        balances::quantity.eq(balances::quantity - amount),
        balances::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(touched == 1)
}

/// Holds every unit not yet held of these items' balances at `location`; returns (lot, item,
/// units newly held) per balance touched.
pub fn hold_all(
    conn: &mut DbConnection,
    location: LocationId,
    items: &[ItemId],
    at: NaiveDateTime,
) -> QueryResult<Vec<(LotId, ItemId, i64)>> {
    let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
    let rows: Vec<(i64, i64, i64)> = balances::table
        .filter(balances::location_id.eq(location.0))
        .filter(balances::item_id.eq_any(ids))
        .filter(balances::quantity.gt(balances::held))
        .select((balances::lot_id, balances::item_id, balances::quantity - balances::held))
        .order(balances::lot_id)
        .load(conn)?;
    for (lot, _, _) in &rows {
        diesel::update(balances::table.find((lot, location.0)))
            .set((balances::held.eq(balances::quantity), balances::updated_at.eq(at)))
            .execute(conn)?;
    }
    Ok(rows
        .into_iter()
        .map(|(lot, item, units)| (LotId(lot), ItemId(item), units))
        .collect())
}

/// Lifts a hold of `amount` units; `false` when fewer are held.
pub fn release(
    conn: &mut DbConnection,
    lot: LotId,
    location: LocationId,
    amount: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let touched = diesel::update(
        balances::table
            .filter(balances::lot_id.eq(lot.0))
            .filter(balances::location_id.eq(location.0))
            .filter(balances::held.ge(amount)),
    )
    .set((balances::held.eq(balances::held - amount), balances::updated_at.eq(at)))
    .execute(conn)?;
    Ok(touched == 1)
}

/// Every balance with units held: (lot, location, held).
pub fn held(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i64)>> {
    balances::table
        .filter(balances::held.gt(0))
        .select((balances::lot_id, balances::location_id, balances::held))
        .order((balances::lot_id, balances::location_id))
        .load(conn)
}

/// Adds `amount`, creating the balance row when the lot is new at this location.
pub fn add(
    conn: &mut DbConnection,
    item: ItemId,
    lot: LotId,
    location: LocationId,
    amount: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    on_backend!(
        conn,
        "INSERT INTO balances (lot_id, location_id, item_id, quantity, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (lot_id, location_id) DO UPDATE SET quantity = balances.quantity + excluded.quantity, \
         updated_at = excluded.updated_at",
        |q, c| q
            .bind::<BigInt, _>(lot.0)
            .bind::<BigInt, _>(location.0)
            .bind::<BigInt, _>(item.0)
            .bind::<BigInt, _>(amount)
            .bind::<Timestamp, _>(at)
            .execute(c)
    )?;
    Ok(())
}

/// A lot's balance at a location, as the stock reads select it (balances joined to lots).
#[derive(Queryable, Selectable)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct BalanceRow {
    #[diesel(select_expression = balances::item_id)]
    item_id: i64,
    #[diesel(select_expression = balances::location_id)]
    location_id: i64,
    #[diesel(select_expression = lots::id)]
    lot_id: i64,
    #[diesel(select_expression = lots::lot_number)]
    lot_number: String,
    #[diesel(select_expression = lots::expires_on)]
    expires_on: NaiveDate,
    #[diesel(select_expression = lots::status)]
    status: String,
    #[diesel(select_expression = balances::quantity)]
    quantity: i64,
    #[diesel(select_expression = balances::held)]
    held: i64,
}

fn lot_balance(row: BalanceRow) -> QueryResult<LotBalance> {
    Ok(LotBalance {
        item_id: ItemId(row.item_id),
        location_id: LocationId(row.location_id),
        lot_id: LotId(row.lot_id),
        status: LotStatus::parse(&row.status).ok_or_else(|| corrupt("lot status", &row.status))?,
        lot_number: row.lot_number,
        expires_on: row.expires_on,
        quantity: row.quantity,
        held: row.held,
    })
}

/// Balances with stock of these items (at one location, or all), with their lots.
pub fn of_items(
    conn: &mut DbConnection,
    items: &[ItemId],
    location: Option<LocationId>,
) -> QueryResult<Vec<LotBalance>> {
    let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
    let mut query = balances::table
        .inner_join(lots::table)
        .filter(balances::item_id.eq_any(ids))
        .filter(with_stock())
        .order((balances::item_id, balances::location_id, lots::expires_on, lots::id))
        .select(BalanceRow::as_select())
        .into_boxed();
    if let Some(location) = location {
        query = query.filter(balances::location_id.eq(location.0));
    }
    let rows: Vec<BalanceRow> = query.load(conn)?;
    rows.into_iter().map(lot_balance).collect()
}

/// Every stored balance: (lot, location, item, quantity).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i64, i64)>> {
    balances::table
        .select((
            balances::lot_id,
            balances::location_id,
            balances::item_id,
            balances::quantity,
        ))
        .order((balances::lot_id, balances::location_id))
        .load(conn)
}

/// The ledger's sum per (lot, location): what every balance must equal.
pub fn ledger_sums(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i64)>> {
    let rows: Vec<(i64, i64, Option<i64>)> = movement_lines::table
        .group_by((movement_lines::lot_id, movement_lines::location_id))
        .select((
            movement_lines::lot_id,
            movement_lines::location_id,
            sql::<Nullable<BigInt>>("CAST(SUM(movement_lines.delta) AS BIGINT)"),
        ))
        .order((movement_lines::lot_id, movement_lines::location_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(lot, location, sum)| (lot, location, sum.unwrap_or(0)))
        .collect())
}

/// Units of a lot across every location.
pub fn lot_total(conn: &mut DbConnection, lot: LotId) -> QueryResult<i64> {
    let total: Option<i64> = balances::table
        .filter(balances::lot_id.eq(lot.0))
        .select(sql::<Nullable<BigInt>>("CAST(SUM(balances.quantity) AS BIGINT)"))
        .first(conn)?;
    Ok(total.unwrap_or(0))
}

/// Balances with stock of lots expiring on or before `by` (expired ones included).
pub fn expiring_by(conn: &mut DbConnection, by: NaiveDate) -> QueryResult<Vec<LotBalance>> {
    let rows: Vec<BalanceRow> = balances::table
        .inner_join(lots::table)
        .filter(with_stock())
        .filter(lots::expires_on.le(by))
        .order((lots::id, balances::location_id))
        .select(BalanceRow::as_select())
        .load(conn)?;
    rows.into_iter().map(lot_balance).collect()
}
