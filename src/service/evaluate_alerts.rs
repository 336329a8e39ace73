//! Alert evaluation, run inside the transaction of whatever changed stock, a lot or a
//! threshold, so an alert and its email are committed with their cause or not at all.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::{DbConnection, StorageError};

type QueryResult<T> = Result<T, StorageError>;
use crate::domain::alert::{
    expiry_condition, item_condition, lot_condition, order_condition, projected_stockout_holds, stock_conditions,
    threshold_condition, AlertKind, Threshold,
};
use crate::domain::catalog::Item;
use crate::domain::email_facts::{subject, AlertFacts, ExcursionFacts, ForecastFacts, LotLine, OrderFacts};
use crate::domain::forecast::{project, refills_per_day, suggest, ForecastPolicy, Ordering};
use crate::domain::ids::{AlertId, ExcursionId, ItemId, LocationId, LotId, OrderId};
use crate::domain::ledger::{is_expired, LotStatus};
use crate::domain::stock::{figures, LotBalance};
use crate::domain::supply::is_overdue;
use crate::repo;
use crate::repo::alerts::NewAlert;

use super::forecast;

/// After a movement: the thresholds over the (item, location) pairs it changed, the expiry
/// alerts of lots it emptied, and the projected stockouts of its items.
pub(crate) fn after_stock_change(
    conn: &mut DbConnection,
    pairs: &[(ItemId, LocationId)],
    lots: &[LotId],
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let items: Vec<ItemId> = pairs
        .iter()
        .map(|(item, _)| *item)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let affected: Vec<Threshold> = repo::thresholds::of_items(conn, &items)?
        .into_iter()
        .filter(|t| {
            t.location_id
                .is_none_or(|location| pairs.contains(&(t.item_id, location)))
        })
        .collect();
    evaluate_thresholds(conn, &affected, policy, at)?;
    evaluate_projected_stockouts(conn, Some(&items), policy, at)?;
    let emptied: Vec<LotId> = lots.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    for lot in emptied {
        if repo::balances::lot_total(conn, lot)? == 0 {
            for kind in [AlertKind::Expiring, AlertKind::Expired] {
                repo::alerts::resolve(conn, &lot_condition(kind, lot), at)?;
            }
        }
    }
    Ok(())
}

/// Every threshold and projected stockout of these items (a lot's status changed, so their
/// availability did).
pub(crate) fn after_item_change(
    conn: &mut DbConnection,
    items: &[ItemId],
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let affected = repo::thresholds::of_items(conn, items)?;
    evaluate_thresholds(conn, &affected, policy, at)?;
    evaluate_projected_stockouts(conn, Some(items), policy, at)
}

/// After the roster changed (a patient's refill date, interval or status): the items a refill
/// consumes.
pub(crate) fn after_roster_change(
    conn: &mut DbConnection,
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let items: Vec<ItemId> = repo::forecast::refill_bundle(conn)?.into_keys().collect();
    evaluate_projected_stockouts(conn, Some(&items), policy, at)
}

/// The alert's window: an item's projection only needs to reach today + lead time + safety.
fn alert_horizon(ordering: &Ordering) -> u32 {
    ordering.lead_time_days + ordering.safety_days + 1
}

/// Opens or resolves `projected_stockout` for these items (every active item when `None`); the
/// alerts of items no longer active resolve. Runs inside the caller's transaction (public for the
/// benchmark, which times it there).
pub fn evaluate_projected_stockouts(
    conn: &mut DbConnection,
    items: Option<&[ItemId]>,
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let today = at.date();
    if let Some(items) = items {
        repo::items::lock(conn, items)?;
    }
    let bases = forecast::load(conn, items, today, policy, alert_horizon)?;
    for (item, basis) in &bases {
        let ordering = basis.ordering;
        let projection = project(&basis.inputs);
        let key = item_condition(AlertKind::ProjectedStockout, *item);
        if !projected_stockout_holds(
            projection.stockout_on,
            today,
            ordering.lead_time_days,
            ordering.safety_days,
        ) {
            repo::alerts::resolve(conn, &key, at)?;
            continue;
        }
        let new = NewAlert {
            kind: AlertKind::ProjectedStockout,
            condition_key: &key,
            item: *item,
            location: None,
            lot: None,
            threshold_id: None,
            quantity: basis.inputs.usable() as i64,
            threshold: None,
            order: None,
            excursion: None,
            at,
        };
        if let Some(alert) = repo::alerts::open_if_absent(conn, &new)? {
            queue_email(conn, alert, false, policy, at)?;
        }
    }
    // An item no longer active has no projection: its alert resolves.
    let evaluated: BTreeSet<ItemId> = bases.iter().map(|(item, _)| *item).collect();
    match items {
        Some(items) => {
            for item in items.iter().filter(|i| !evaluated.contains(i)) {
                repo::alerts::resolve(conn, &item_condition(AlertKind::ProjectedStockout, *item), at)?;
            }
        }
        None => {
            for (key, item) in repo::alerts::unresolved_of_kind(conn, AlertKind::ProjectedStockout)? {
                if !evaluated.contains(&item) {
                    repo::alerts::resolve(conn, &key, at)?;
                }
            }
        }
    }
    Ok(())
}

/// Opens or resolves the `order_overdue` alert of one order.
pub(crate) fn evaluate_order(
    conn: &mut DbConnection,
    order: OrderId,
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let key = order_condition(order);
    let Some(found) = repo::orders::find(conn, order)? else {
        return Ok(());
    };
    if !is_overdue(found.status, found.expected_on, at.date()) {
        repo::alerts::resolve(conn, &key, at)?;
        return Ok(());
    }
    // The alert is filed under the first item still to come.
    let Some(first) = found.lines.iter().find(|l| l.remaining() > 0).or(found.lines.first()) else {
        return Ok(());
    };
    let new = NewAlert {
        kind: AlertKind::OrderOverdue,
        condition_key: &key,
        item: first.item_id,
        location: None,
        lot: None,
        threshold_id: None,
        quantity: found.lines.iter().map(|l| l.remaining()).sum(),
        threshold: None,
        order: Some(order),
        excursion: None,
        at,
    };
    if let Some(alert) = repo::alerts::open_if_absent(conn, &new)? {
        queue_email(conn, alert, false, policy, at)?;
    }
    Ok(())
}

/// Opens or resolves the `low_stock` and `out_of_stock` alerts of each threshold against the
/// available stock now; returns how many opened.
pub(crate) fn evaluate_thresholds(
    conn: &mut DbConnection,
    thresholds: &[Threshold],
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let ids: Vec<_> = thresholds.iter().map(|t| t.id).collect();
    repo::thresholds::lock(conn, &ids)?;
    for threshold in thresholds {
        let balances = repo::balances::of_items(conn, &[threshold.item_id], threshold.location_id)?;
        let refs: Vec<&LotBalance> = balances.iter().collect();
        let stock = figures(&refs, at.date(), Some(threshold.reorder_point));
        for (kind, holds) in stock_conditions(stock.available, threshold.reorder_point) {
            let key = threshold_condition(kind, threshold.id);
            if !holds {
                repo::alerts::resolve(conn, &key, at)?;
                continue;
            }
            let new = NewAlert {
                kind,
                condition_key: &key,
                item: threshold.item_id,
                location: threshold.location_id,
                lot: None,
                threshold_id: Some(threshold.id),
                quantity: stock.available,
                threshold: Some(threshold.reorder_point),
                order: None,
                excursion: None,
                at,
            };
            if let Some(alert) = repo::alerts::open_if_absent(conn, &new)? {
                queue_email(conn, alert, false, policy, at)?;
            }
        }
    }
    Ok(())
}

/// The scheduled scan: `expiring` and `expired` alerts for lots with stock, resolution of those
/// whose lot is gone, and every threshold (expiry makes stock unavailable).
pub(crate) fn scan_expiry(
    conn: &mut DbConnection,
    warning_days: u32,
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let today = at.date();
    let mut opened = 0;
    let mut totals: HashMap<LotId, (ItemId, i64, chrono::NaiveDate)> = HashMap::new();
    for b in repo::balances::expiring_by(conn, today + Duration::days(i64::from(warning_days)))? {
        totals.entry(b.lot_id).or_insert((b.item_id, 0, b.expires_on)).1 += b.quantity;
    }
    let mut lots: Vec<_> = totals.into_iter().collect();
    lots.sort_by_key(|(lot, _)| *lot);
    for (lot, (item, quantity, expires_on)) in &lots {
        let Some(kind) = expiry_condition(*expires_on, today, warning_days) else {
            continue;
        };
        if kind == AlertKind::Expired {
            repo::alerts::resolve(conn, &lot_condition(AlertKind::Expiring, *lot), at)?;
        }
        let key = lot_condition(kind, *lot);
        let new = NewAlert {
            kind,
            condition_key: &key,
            item: *item,
            location: None,
            lot: Some(*lot),
            threshold_id: None,
            quantity: *quantity,
            threshold: None,
            order: None,
            excursion: None,
            at,
        };
        if let Some(alert) = repo::alerts::open_if_absent(conn, &new)? {
            queue_email(conn, alert, false, policy, at)?;
            opened += 1;
        }
    }
    let still_due: BTreeSet<LotId> = lots.iter().map(|(lot, _)| *lot).collect();
    for (key, lot) in repo::alerts::unresolved_lot_alerts(conn)? {
        if !still_due.contains(&LotId(lot)) {
            repo::alerts::resolve(conn, &key, at)?;
        }
    }
    let all = repo::thresholds::all(conn)?;
    evaluate_thresholds(conn, &all, policy, at)?;
    // The date moves: projections shift and orders fall overdue.
    evaluate_projected_stockouts(conn, None, policy, at)?;
    for (order, _) in repo::orders::pending(conn)? {
        evaluate_order(conn, order, policy, at)?;
    }
    Ok(opened)
}

/// Queues the email of an alert (its opening, or a reminder) with the figures as they are now.
pub(crate) fn queue_email(
    conn: &mut DbConnection,
    alert: AlertId,
    reminder: bool,
    policy: ForecastPolicy,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let Some(alert) = repo::alerts::find(conn, alert)? else {
        return Ok(());
    };
    let Some(item) = repo::items::find(conn, alert.item_id)? else {
        return Ok(());
    };
    let forecast = match alert.kind {
        AlertKind::ProjectedStockout => forecast_facts(conn, &item, policy, at.date())?,
        _ => None,
    };
    let threshold = match alert.threshold_id {
        Some(id) => repo::thresholds::find(conn, id)?,
        None => None,
    };
    let balances = repo::balances::of_items(conn, &[alert.item_id], alert.location_id)?;
    let refs: Vec<&LotBalance> = balances.iter().collect();
    let stock = figures(&refs, at.date(), threshold.as_ref().map(|t| t.reorder_point));
    let mut names: HashMap<LocationId, String> = HashMap::new();
    for b in &balances {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(b.location_id) {
            slot.insert(
                repo::locations::find(conn, b.location_id)?
                    .map(|l| l.name)
                    .unwrap_or_default(),
            );
        }
    }
    let line = |b: &LotBalance| LotLine {
        lot_number: b.lot_number.clone(),
        expires_on: b.expires_on,
        quantity: b.quantity,
        location: names.get(&b.location_id).cloned().unwrap_or_default(),
        note: match b.status {
            _ if is_expired(b.expires_on, at.date()) => Some("expired".to_owned()),
            LotStatus::Quarantined => Some("quarantined".to_owned()),
            LotStatus::Recalled => Some("recalled".to_owned()),
            LotStatus::Available => None,
        },
    };
    let lot = match alert.lot_id {
        Some(id) => repo::lots::find(conn, id)?.map(|l| LotLine {
            lot_number: l.lot_number,
            expires_on: l.expires_on,
            quantity: balances.iter().filter(|b| b.lot_id == id).map(|b| b.quantity).sum(),
            location: "all locations".into(),
            note: None,
        }),
        None => None,
    };
    let location = match alert.location_id {
        Some(id) => repo::locations::find(conn, id)?.map(|l| l.name),
        None => None,
    };
    let facts = AlertFacts {
        alert_id: alert.id.0,
        kind: alert.kind,
        reminder,
        item_name: item.name,
        item_code: item.code,
        unit: item.unit,
        location,
        figures: stock,
        reorder_point: threshold.as_ref().map(|t| t.reorder_point),
        reorder_quantity: threshold.as_ref().map(|t| t.reorder_quantity),
        lead_time_days: threshold.as_ref().and_then(|t| t.lead_time_days),
        lot,
        lots: balances.iter().map(line).collect(),
        forecast,
        order: match alert.order_id {
            Some(order) => order_facts(conn, order)?,
            None => None,
        },
        excursion: match alert.excursion_id {
            Some(excursion) => excursion_facts(conn, excursion)?,
            None => None,
        },
    };
    let recorded = serde_json::to_string(&facts)
        .map_err(|e| StorageError::Invariant(format!("the facts of alert {} could not be written: {e}", alert.id)))?;
    repo::notifications::enqueue(conn, Some(alert.id), &subject(&facts), &recorded, at)?;
    Ok(())
}

/// What the email of a cold-chain excursion says: the fridge, the readings, each held lot.
fn excursion_facts(conn: &mut DbConnection, id: ExcursionId) -> QueryResult<Option<ExcursionFacts>> {
    let Some(excursion) = repo::excursions::find(conn, id)? else {
        return Ok(None);
    };
    let location = repo::locations::find(conn, excursion.location_id)?
        .map(|l| l.name)
        .unwrap_or_default();
    let mut held = Vec::new();
    for hold in &excursion.held {
        let (name, unit) = repo::items::find(conn, hold.item_id)?
            .map(|i| (i.name, i.unit))
            .unwrap_or_default();
        held.push((
            name,
            hold.lot_number.clone(),
            hold.quantity,
            unit,
            hold.decision.map(|d| d.outcome().to_owned()),
        ));
    }
    Ok(Some(ExcursionFacts {
        location,
        started_at: excursion.started_at,
        ended_at: excursion.ended_at,
        max_temperature_c: excursion.max_temperature_c,
        min_temperature_c: excursion.min_temperature_c,
        held,
    }))
}

/// What the email of a projected stockout says, from the forecast as it is now.
fn forecast_facts(
    conn: &mut DbConnection,
    item: &Item,
    policy: ForecastPolicy,
    today: NaiveDate,
) -> QueryResult<Option<ForecastFacts>> {
    let Some((_, basis)) = forecast::load(conn, Some(&[item.id]), today, policy, alert_horizon)?.pop() else {
        return Ok(None);
    };
    let ordering = basis.ordering;
    let inputs = &basis.inputs;
    let Some(stockout_on) = project(inputs).stockout_on else {
        return Ok(None);
    };
    let from = (stockout_on - today).num_days().max(0) as usize;
    let refills_at_risk = refills_per_day(&inputs.roster, today, inputs.horizon_days)
        .iter()
        .skip(from)
        .sum();
    let supplier = match item.ordering.supplier_id {
        Some(id) => repo::suppliers::find(conn, id)?.map(|s| s.name),
        None => None,
    };
    Ok(Some(ForecastFacts {
        stockout_on,
        refills_at_risk,
        window_end: today + Duration::days(i64::from(inputs.horizon_days) - 1),
        supplier,
        lead_time_days: ordering.lead_time_days,
        suggestion: suggest(inputs, ordering).map(|s| (s.quantity, s.order_by, s.expected_on)),
    }))
}

/// What the email of a late order says.
fn order_facts(conn: &mut DbConnection, id: OrderId) -> QueryResult<Option<OrderFacts>> {
    let Some(order) = repo::orders::find(conn, id)? else {
        return Ok(None);
    };
    let supplier = repo::suppliers::find(conn, order.supplier_id)?
        .map(|s| s.name)
        .unwrap_or_default();
    let mut outstanding = Vec::new();
    for line in order.lines.iter().filter(|l| l.remaining() > 0) {
        if let Some(item) = repo::items::find(conn, line.item_id)? {
            outstanding.push((item.name, line.remaining(), item.unit));
        }
    }
    Ok(Some(OrderFacts {
        order_id: order.id.0,
        reference: order.reference,
        supplier,
        ordered_on: order.ordered_on,
        expected_on: order.expected_on,
        outstanding,
    }))
}
