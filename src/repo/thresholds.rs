use diesel::prelude::*;
use diesel::sql_types::BigInt;

use chrono::NaiveDateTime;

use super::on_backend;
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

#[derive(QueryableByName)]
struct Upserted {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    inserted: bool,
}

/// Creates or replaces the threshold of (item, location or all locations) in one statement, so
/// concurrent identical calls cannot collide; returns it and whether it was inserted.
/// The conflict target is the unique index `(item_id, COALESCE(location_id, 0))`.
pub fn upsert(conn: &mut DbConnection, new: &NewThreshold, at: NaiveDateTime) -> QueryResult<(Threshold, bool)> {
    // PostgreSQL tells an inserted row from an updated one by `xmax`; SQLite's write
    // transaction is alone, so whether the row existed before is exact there.
    let existed_before = match conn {
        DbConnection::Sqlite(_) => find_scope(conn, new.item_id, new.location_id)?.is_some(),
        DbConnection::Pg(_) => false,
    };
    let inserted_expr = match conn {
        DbConnection::Sqlite(_) => "1",
        DbConnection::Pg(_) => "(xmax = 0)",
    };
    let sql = format!(
        "INSERT INTO thresholds (item_id, location_id, reorder_point, reorder_quantity, lead_time_days, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (item_id, COALESCE(location_id, 0)) DO UPDATE SET reorder_point = excluded.reorder_point, \
         reorder_quantity = excluded.reorder_quantity, lead_time_days = excluded.lead_time_days, updated_at = excluded.updated_at \
         RETURNING id, {inserted_expr} AS inserted"
    );
    let row: Upserted = on_backend!(conn, &sql, |q, c| q
        .bind::<BigInt, _>(new.item_id.0)
        .bind::<diesel::sql_types::Nullable<BigInt>, _>(new.location_id.map(|l| l.0))
        .bind::<BigInt, _>(new.reorder_point)
        .bind::<BigInt, _>(new.reorder_quantity)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Integer>, _>(new.lead_time_days.map(|d| d as i32))
        .bind::<diesel::sql_types::Timestamp, _>(at)
        .bind::<diesel::sql_types::Timestamp, _>(at)
        .get_result(c))?;
    let threshold = find(conn, ThresholdId(row.id))?.ok_or(diesel::result::Error::NotFound)?;
    Ok((threshold, row.inserted && !existed_before))
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
