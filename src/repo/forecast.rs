//! What the forecast reads: usable lots, the roster, the refill bundle, the unscheduled usage
//! kept per day, and how each item is ordered. Each read is bounded by the catalog, the roster
//! or one year of days — never by the length of the ledger.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable};

use super::on_backend;
use crate::db::schema::{balances, daily_usage, items, lots, movements, patients, procedure_lines, suppliers};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, SupplierId};
use crate::domain::ledger::LotStatus;
use crate::domain::patient::PatientStatus;
use crate::domain::procedure::REFILL;

fn ids(items: &[ItemId]) -> Vec<i64> {
    items.iter().map(|i| i.0).collect()
}

/// The day of the ledger's first movement, if any.
pub fn ledger_started_on(conn: &mut DbConnection) -> QueryResult<Option<NaiveDate>> {
    let first: Option<chrono::NaiveDateTime> = movements::table
        .select(diesel::dsl::min(movements::occurred_at))
        .first(conn)?;
    Ok(first.map(|at| at.date()))
}

/// Units of each usable lot (status available, not expired on `today`) across all locations:
/// (item, expires_on, units).
pub fn usable_lots(
    conn: &mut DbConnection,
    of: Option<&[ItemId]>,
    today: NaiveDate,
) -> QueryResult<Vec<(ItemId, NaiveDate, i64)>> {
    let mut query = balances::table
        .inner_join(lots::table)
        .filter(sql::<diesel::sql_types::Bool>("balances.quantity > 0"))
        .filter(lots::status.eq(LotStatus::Available.as_str()))
        .filter(lots::expires_on.ge(today))
        .group_by((lots::id, lots::item_id, lots::expires_on))
        .select((
            lots::item_id,
            lots::expires_on,
            // Units held after a cold-chain excursion are not cover.
            sql::<Nullable<BigInt>>("CAST(SUM(balances.quantity - balances.held) AS BIGINT)"),
        ))
        .into_boxed();
    if let Some(of) = of {
        query = query.filter(lots::item_id.eq_any(ids(of)));
    }
    let rows: Vec<(i64, NaiveDate, Option<i64>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(item, expires_on, units)| (ItemId(item), expires_on, units.unwrap_or(0)))
        .collect())
}

/// Active patients with a next refill date, grouped: (next_refill_on, interval, patients).
pub fn roster(conn: &mut DbConnection) -> QueryResult<Vec<(NaiveDate, u32, u32)>> {
    let rows: Vec<(Option<NaiveDate>, i32, Option<i64>)> = patients::table
        .filter(patients::status.eq(PatientStatus::Active.as_str()))
        .filter(patients::next_refill_on.is_not_null())
        .group_by((patients::next_refill_on, patients::refill_interval_days))
        .select((
            patients::next_refill_on,
            patients::refill_interval_days,
            sql::<Nullable<BigInt>>("CAST(COUNT(*) AS BIGINT)"),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(on, interval, n)| Some((on?, u32::try_from(interval).ok()?, u32::try_from(n.unwrap_or(0)).ok()?)))
        .collect())
}

/// Units of each item one refill consumes (the `refill` procedure's lines).
pub fn refill_bundle(conn: &mut DbConnection) -> QueryResult<HashMap<ItemId, i64>> {
    let rows: Vec<(i64, i32)> = procedure_lines::table
        .filter(procedure_lines::procedure_code.eq(REFILL))
        .select((procedure_lines::item_id, procedure_lines::quantity))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(item, quantity)| (ItemId(item), i64::from(quantity)))
        .collect())
}

/// The most units of each item that one procedure other than the refill takes.
pub fn largest_other_procedure_lines(conn: &mut DbConnection) -> QueryResult<HashMap<ItemId, i64>> {
    let rows: Vec<(i64, i32)> = procedure_lines::table
        .filter(procedure_lines::procedure_code.ne(REFILL))
        .select((procedure_lines::item_id, procedure_lines::quantity))
        .load(conn)?;
    let mut largest = HashMap::new();
    for (item, quantity) in rows {
        let units: &mut i64 = largest.entry(ItemId(item)).or_default();
        *units = (*units).max(i64::from(quantity));
    }
    Ok(largest)
}

/// Unscheduled units per item dispensed from `from` to `to` inclusive.
pub fn unscheduled_between(
    conn: &mut DbConnection,
    of: Option<&[ItemId]>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<HashMap<ItemId, i64>> {
    let mut query = daily_usage::table
        .filter(daily_usage::day.ge(from))
        .filter(daily_usage::day.le(to))
        .group_by(daily_usage::item_id)
        .select((
            daily_usage::item_id,
            sql::<Nullable<BigInt>>("CAST(SUM(daily_usage.unscheduled) AS BIGINT)"),
        ))
        .into_boxed();
    if let Some(of) = of {
        query = query.filter(daily_usage::item_id.eq_any(ids(of)));
    }
    let rows: Vec<(i64, Option<i64>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(item, units)| (ItemId(item), units.unwrap_or(0)))
        .collect())
}

/// Adds `units` (negative for a reversal) to an item's unscheduled usage of a day.
pub fn add_unscheduled(conn: &mut DbConnection, item: ItemId, day: NaiveDate, units: i64) -> QueryResult<()> {
    on_backend!(
        conn,
        "INSERT INTO daily_usage (item_id, day, unscheduled) VALUES (?, ?, ?) \
         ON CONFLICT (item_id, day) DO UPDATE SET unscheduled = daily_usage.unscheduled + excluded.unscheduled",
        |q, c| q
            .bind::<BigInt, _>(item.0)
            .bind::<Date, _>(day)
            .bind::<BigInt, _>(units)
            .execute(c)
    )?;
    Ok(())
}

/// How an active item is ordered: (item, supplier's lead time or none, pack size, shelf life).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ordered {
    pub item_id: ItemId,
    pub lead_time_days: Option<u32>,
    pub pack_size: u32,
    pub shelf_life_days: Option<u32>,
}

/// Active items (all, or those in scope) with how they are ordered, in id order.
pub fn active_items(conn: &mut DbConnection, scope: Option<&[ItemId]>) -> QueryResult<Vec<Ordered>> {
    let mut query = items::table
        .left_join(suppliers::table.on(suppliers::id.nullable().eq(items::supplier_id)))
        .filter(items::active.eq(true))
        .order(items::id)
        .select((
            items::id,
            suppliers::lead_time_days.nullable(),
            items::pack_size,
            items::shelf_life_days,
        ))
        .into_boxed();
    if let Some(scope) = scope {
        query = query.filter(items::id.eq_any(ids(scope)));
    }
    let rows: Vec<(i64, Option<i32>, i32, Option<i32>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(item, lead, pack, shelf)| Ordered {
            item_id: ItemId(item),
            lead_time_days: lead.and_then(|d| u32::try_from(d).ok()),
            pack_size: u32::try_from(pack).unwrap_or(1).max(1),
            shelf_life_days: shelf.and_then(|d| u32::try_from(d).ok()),
        })
        .collect())
}

/// Active items bought from a supplier, in id order.
pub fn items_of_supplier(conn: &mut DbConnection, supplier: SupplierId) -> QueryResult<Vec<ItemId>> {
    let rows: Vec<i64> = items::table
        .filter(items::supplier_id.eq(supplier.0))
        .filter(items::active.eq(true))
        .order(items::id)
        .select(items::id)
        .load(conn)?;
    Ok(rows.into_iter().map(ItemId).collect())
}
