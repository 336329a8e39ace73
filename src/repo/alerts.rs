use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::{corrupt, on_backend};
use crate::db::schema::alerts;
use crate::db::DbConnection;
use crate::domain::alert::{Alert, AlertKind, AlertState};
use crate::domain::catalog::Named;
use crate::domain::ids::{AlertId, ExcursionId, ItemId, LocationId, LotId, OrderId, ThresholdId};
use crate::domain::page::{Page, PageRequest};

#[derive(Queryable)]
struct AlertRow {
    id: i64,
    kind: String,
    _condition_key: String,
    item_id: i64,
    location_id: Option<i64>,
    lot_id: Option<i64>,
    threshold_id: Option<i64>,
    state: String,
    opened_at: NaiveDateTime,
    acknowledged_at: Option<NaiveDateTime>,
    acknowledged_by: Option<String>,
    resolved_at: Option<NaiveDateTime>,
    quantity: i64,
    threshold: Option<i64>,
    _last_notified_at: NaiveDateTime,
    order_id: Option<i64>,
    excursion_id: Option<i64>,
}

impl TryFrom<AlertRow> for Alert {
    type Error = diesel::result::Error;
    fn try_from(r: AlertRow) -> QueryResult<Alert> {
        Ok(Alert {
            id: AlertId(r.id),
            kind: AlertKind::parse(&r.kind).ok_or_else(|| corrupt("alert kind", &r.kind))?,
            state: AlertState::parse(&r.state).ok_or_else(|| corrupt("alert state", &r.state))?,
            item_id: ItemId(r.item_id),
            location_id: r.location_id.map(LocationId),
            lot_id: r.lot_id.map(LotId),
            threshold_id: r.threshold_id.map(ThresholdId),
            opened_at: r.opened_at,
            acknowledged_at: r.acknowledged_at,
            acknowledged_by: r.acknowledged_by,
            resolved_at: r.resolved_at,
            quantity: r.quantity,
            threshold: r.threshold,
            order_id: r.order_id.map(OrderId),
            excursion_id: r.excursion_id.map(ExcursionId),
        })
    }
}

/// An alert about to open.
pub struct NewAlert<'a> {
    pub kind: AlertKind,
    pub condition_key: &'a str,
    pub item: ItemId,
    pub location: Option<LocationId>,
    pub lot: Option<LotId>,
    pub threshold_id: Option<ThresholdId>,
    pub quantity: i64,
    pub threshold: Option<i64>,
    pub order: Option<OrderId>,
    pub excursion: Option<ExcursionId>,
    pub at: NaiveDateTime,
}

#[derive(QueryableByName)]
struct Opened {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Opens the alert unless its condition already has one that is not resolved; the unique
/// partial index decides, so concurrent openers (several instances) open it once.
pub fn open_if_absent(conn: &mut DbConnection, new: &NewAlert<'_>) -> QueryResult<Option<AlertId>> {
    let opened: Vec<Opened> = on_backend!(
        conn,
        "INSERT INTO alerts (kind, condition_key, item_id, location_id, lot_id, threshold_id, state, opened_at, \
         quantity, threshold, last_notified_at, order_id, excursion_id) \
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (condition_key) WHERE state <> 'resolved' DO NOTHING RETURNING id",
        |q, c| q
            .bind::<Text, _>(new.kind.as_str())
            .bind::<Text, _>(new.condition_key)
            .bind::<BigInt, _>(new.item.0)
            .bind::<Nullable<BigInt>, _>(new.location.map(|l| l.0))
            .bind::<Nullable<BigInt>, _>(new.lot.map(|l| l.0))
            .bind::<Nullable<BigInt>, _>(new.threshold_id.map(|t| t.0))
            .bind::<Timestamp, _>(new.at)
            .bind::<BigInt, _>(new.quantity)
            .bind::<Nullable<BigInt>, _>(new.threshold)
            .bind::<Timestamp, _>(new.at)
            .bind::<Nullable<BigInt>, _>(new.order.map(|o| o.0))
            .bind::<Nullable<BigInt>, _>(new.excursion.map(|e| e.0))
            .load(c)
    )?;
    Ok(opened.first().map(|o| AlertId(o.id)))
}

/// Resolves the unresolved alert of a condition, if any; returns how many.
pub fn resolve(conn: &mut DbConnection, condition_key: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        alerts::table
            .filter(alerts::condition_key.eq(condition_key))
            .filter(alerts::state.ne(AlertState::Resolved.as_str())),
    )
    .set((
        alerts::state.eq(AlertState::Resolved.as_str()),
        alerts::resolved_at.eq(at),
    ))
    .execute(conn)
}

/// Unresolved expiry alerts: (condition key, lot).
pub fn unresolved_lot_alerts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(String, Option<i64>)> = alerts::table
        .filter(alerts::state.ne(AlertState::Resolved.as_str()))
        .filter(alerts::lot_id.is_not_null())
        .select((alerts::condition_key, alerts::lot_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(key, lot)| lot.map(|l| (key, l)))
        .collect())
}

pub fn find(conn: &mut DbConnection, id: AlertId) -> QueryResult<Option<Alert>> {
    let row: Option<AlertRow> = alerts::table.find(id.0).first(conn).optional()?;
    row.map(Alert::try_from).transpose()
}

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub state: Option<AlertState>,
    pub kind: Option<AlertKind>,
}

pub fn list(conn: &mut DbConnection, filter: &AlertFilter, page: PageRequest) -> QueryResult<Page<Alert>> {
    let mut query = alerts::table
        .into_boxed()
        .order(alerts::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(alerts::id.gt(after));
    }
    if let Some(state) = filter.state {
        query = query.filter(alerts::state.eq(state.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(alerts::kind.eq(kind.as_str()));
    }
    let rows: Vec<AlertRow> = query.load(conn)?;
    let alerts = rows.into_iter().map(Alert::try_from).collect::<QueryResult<Vec<_>>>()?;
    Ok(Page::from_rows(alerts, page, |a| a.id.0))
}

/// Marks an open alert acknowledged; `false` when it was not open.
pub fn acknowledge(conn: &mut DbConnection, id: AlertId, by: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let touched = diesel::update(
        alerts::table
            .find(id.0)
            .filter(alerts::state.eq(AlertState::Open.as_str())),
    )
    .set((
        alerts::state.eq(AlertState::Acknowledged.as_str()),
        alerts::acknowledged_at.eq(at),
        alerts::acknowledged_by.eq(by),
    ))
    .execute(conn)?;
    Ok(touched == 1)
}

/// Open, unacknowledged alerts last emailed at or before `before`, with that time.
pub fn due_reminders(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<Vec<(AlertId, NaiveDateTime)>> {
    let rows: Vec<(i64, NaiveDateTime)> = alerts::table
        .filter(alerts::state.eq(AlertState::Open.as_str()))
        .filter(alerts::last_notified_at.le(before))
        .order(alerts::id)
        .select((alerts::id, alerts::last_notified_at))
        .limit(100)
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, at)| (AlertId(id), at)).collect())
}

/// Moves the last-emailed time from `seen` to `at`; `false` when another instance did first.
pub fn mark_notified(
    conn: &mut DbConnection,
    id: AlertId,
    seen: NaiveDateTime,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let touched = diesel::update(alerts::table.find(id.0).filter(alerts::last_notified_at.eq(seen)))
        .set(alerts::last_notified_at.eq(at))
        .execute(conn)?;
    Ok(touched == 1)
}

/// Unresolved alerts of one kind: (condition key, item).
pub fn unresolved_of_kind(conn: &mut DbConnection, kind: AlertKind) -> QueryResult<Vec<(String, ItemId)>> {
    let rows: Vec<(String, i64)> = alerts::table
        .filter(alerts::state.ne(AlertState::Resolved.as_str()))
        .filter(alerts::kind.eq(kind.as_str()))
        .select((alerts::condition_key, alerts::item_id))
        .load(conn)?;
    Ok(rows.into_iter().map(|(key, item)| (key, ItemId(item))).collect())
}
