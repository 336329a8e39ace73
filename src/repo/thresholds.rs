use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{now, on_backend};
use crate::db::schema::thresholds;
use crate::db::DbConnection;
use crate::domain::alert::{NewThreshold, Threshold};
use crate::domain::ids::{ItemId, LocationId, ThresholdId};
use crate::domain::page::{Page, PageRequest};

#[derive(Queryable)]
struct ThresholdRow {
    id: i64,
    item_id: i64,
    location_id: Option<i64>,
    reorder_point: i64,
    reorder_quantity: i64,
    lead_time_days: Option<i32>,
    _created_at: chrono::NaiveDateTime,
    _updated_at: chrono::NaiveDateTime,
}

impl From<ThresholdRow> for Threshold {
    fn from(r: ThresholdRow) -> Threshold {
        Threshold {
            id: ThresholdId(r.id),
            item_id: ItemId(r.item_id),
            location_id: r.location_id.map(LocationId),
            reorder_point: r.reorder_point,
            reorder_quantity: r.reorder_quantity,
            lead_time_days: r.lead_time_days.and_then(|d| u32::try_from(d).ok()),
        }
    }
}

pub fn find(conn: &mut DbConnection, id: ThresholdId) -> QueryResult<Option<Threshold>> {
    let row: Option<ThresholdRow> = thresholds::table.find(id.0).first(conn).optional()?;
    Ok(row.map(Threshold::from))
}

/// The threshold of this item at this location (`None`: all locations).
pub fn find_scope(
    conn: &mut DbConnection,
    item: ItemId,
    location: Option<LocationId>,
) -> QueryResult<Option<Threshold>> {
    let query = thresholds::table.filter(thresholds::item_id.eq(item.0)).into_boxed();
    let query = match location {
        Some(location) => query.filter(thresholds::location_id.eq(location.0)),
        None => query.filter(thresholds::location_id.is_null()),
    };
    let row: Option<ThresholdRow> = query.first(conn).optional()?;
    Ok(row.map(Threshold::from))
}

pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Page<Threshold>> {
    let mut query = thresholds::table
        .into_boxed()
        .order(thresholds::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(thresholds::id.gt(after));
    }
    let rows: Vec<ThresholdRow> = query.load(conn)?;
    Ok(Page::from_rows(
        rows.into_iter().map(Threshold::from).collect(),
        page,
        |t| t.id.0,
    ))
}

/// Every threshold of these items.
pub fn of_items(conn: &mut DbConnection, items: &[ItemId]) -> QueryResult<Vec<Threshold>> {
    let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
    let rows: Vec<ThresholdRow> = thresholds::table
        .filter(thresholds::item_id.eq_any(ids))
        .order(thresholds::id)
        .load(conn)?;
    Ok(rows.into_iter().map(Threshold::from).collect())
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Threshold>> {
    let rows: Vec<ThresholdRow> = thresholds::table.order(thresholds::id).load(conn)?;
    Ok(rows.into_iter().map(Threshold::from).collect())
}

pub fn insert(conn: &mut DbConnection, new: &NewThreshold) -> QueryResult<Threshold> {
    let at = now();
    let row: ThresholdRow = diesel::insert_into(thresholds::table)
        .values((
            thresholds::item_id.eq(new.item_id.0),
            thresholds::location_id.eq(new.location_id.map(|l| l.0)),
            thresholds::reorder_point.eq(new.reorder_point),
            thresholds::reorder_quantity.eq(new.reorder_quantity),
            thresholds::lead_time_days.eq(new.lead_time_days.map(|d| d as i32)),
            thresholds::created_at.eq(at),
            thresholds::updated_at.eq(at),
        ))
        .returning(thresholds::all_columns)
        .get_result(conn)?;
    Ok(row.into())
}

pub fn update(conn: &mut DbConnection, id: ThresholdId, new: &NewThreshold) -> QueryResult<Threshold> {
    let row: ThresholdRow = diesel::update(thresholds::table.find(id.0))
        .set((
            thresholds::reorder_point.eq(new.reorder_point),
            thresholds::reorder_quantity.eq(new.reorder_quantity),
            thresholds::lead_time_days.eq(new.lead_time_days.map(|d| d as i32)),
            thresholds::updated_at.eq(now()),
        ))
        .returning(thresholds::all_columns)
        .get_result(conn)?;
    Ok(row.into())
}

pub fn delete(conn: &mut DbConnection, id: ThresholdId) -> QueryResult<bool> {
    Ok(diesel::delete(thresholds::table.find(id.0)).execute(conn)? == 1)
}

/// Serialises evaluations of these thresholds until the transaction ends (PostgreSQL; SQLite's
/// write transaction holds the database), in id order.
pub fn lock(conn: &mut DbConnection, ids: &[ThresholdId]) -> QueryResult<()> {
    if !matches!(conn, DbConnection::Pg(_)) {
        return Ok(());
    }
    let mut sorted = ids.to_vec();
    sorted.sort();
    sorted.dedup();
    for id in sorted {
        on_backend!(conn, "SELECT id FROM thresholds WHERE id = ? FOR UPDATE", |q, c| q
            .bind::<BigInt, _>(id.0)
            .execute(c))?;
    }
    Ok(())
}
