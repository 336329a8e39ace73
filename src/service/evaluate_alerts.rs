//! Alert evaluation, run inside the transaction of whatever changed stock, a lot or a
//! threshold, so an alert and its email are committed with their cause or not at all.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDateTime};

use crate::db::{DbConnection, StorageError};

type QueryResult<T> = Result<T, StorageError>;
use crate::domain::alert::{
    expiry_condition, lot_condition, stock_conditions, threshold_condition, AlertKind, Threshold,
};
use crate::domain::ids::{AlertId, ItemId, LocationId, LotId};
use crate::domain::ledger::{is_expired, LotStatus};
use crate::domain::stock::{figures, LotBalance};
use crate::notify::email::{compose, AlertFacts, LotLine};
use crate::repo;
use crate::repo::alerts::NewAlert;

/// After a movement: the thresholds over the (item, location) pairs it changed, and the
/// expiry alerts of lots it emptied.
pub(crate) fn after_stock_change(
    conn: &mut DbConnection,
    pairs: &[(ItemId, LocationId)],
    lots: &[LotId],
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
    evaluate_thresholds(conn, &affected, at)?;
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

/// Every threshold of these items (a lot's status changed, so their availability did).
pub(crate) fn after_item_change(conn: &mut DbConnection, items: &[ItemId], at: NaiveDateTime) -> QueryResult<()> {
    let affected = repo::thresholds::of_items(conn, items)?;
    evaluate_thresholds(conn, &affected, at)
}

/// Opens or resolves the `low_stock` and `out_of_stock` alerts of each threshold against the
/// available stock now; returns how many opened.
pub(crate) fn evaluate_thresholds(
    conn: &mut DbConnection,
    thresholds: &[Threshold],
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
                at,
            };
            if let Some(alert) = repo::alerts::open_if_absent(conn, &new)? {
                queue_email(conn, alert, false, at)?;
            }
        }
    }
    Ok(())
}

/// The scheduled scan: `expiring` and `expired` alerts for lots with stock, resolution of those
/// whose lot is gone, and every threshold (expiry makes stock unavailable).
pub(crate) fn scan_expiry(conn: &mut DbConnection, warning_days: u32, at: NaiveDateTime) -> QueryResult<usize> {
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
            at,
        };
        if let Some(alert) = repo::alerts::open_if_absent(conn, &new)? {
            queue_email(conn, alert, false, at)?;
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
    evaluate_thresholds(conn, &all, at)?;
    Ok(opened)
}

/// Queues the email of an alert (its opening, or a reminder) with the figures as they are now.
pub(crate) fn queue_email(
    conn: &mut DbConnection,
    alert: AlertId,
    reminder: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let Some(alert) = repo::alerts::find(conn, alert)? else {
        return Ok(());
    };
    let Some(item) = repo::items::find(conn, alert.item_id)? else {
        return Ok(());
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
            _ if is_expired(b.expires_on, at.date()) => Some("expired"),
            LotStatus::Quarantined => Some("quarantined"),
            LotStatus::Recalled => Some("recalled"),
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
    };
    repo::notifications::enqueue(conn, Some(alert.id), &compose(&facts), at)?;
    Ok(())
}
