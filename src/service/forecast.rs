//! The forecast of every active item (or one): what the roster, the other usage, the usable
//! lots and the open orders make of the coming days, with the suggestion and its working.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use crate::db::{read_snapshot, DbConnection, StorageError};
use crate::domain::forecast::{
    project, refills_per_day, suggest, usage_window_days, Arrival, ForecastPolicy, Inputs, Ordering, Projection,
    Refills, Suggestion, SupplyLot,
};
use crate::domain::ids::ItemId;
use crate::domain::page::{Page, PageRequest};
use crate::domain::supply::remaining;
use crate::repo;
use crate::repo::forecast::Ordered;

#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    #[error("no active item {0}")]
    NotFound(ItemId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(ForecastError);

/// What went into an item's projection.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    pub ordering: Ordering,
    pub inputs: Inputs,
    /// Patients on the roster (active, with a next refill date).
    pub patients: u32,
    /// Unscheduled units over the usage window.
    pub unscheduled_in_window: i64,
    pub usage_from: NaiveDate,
    pub usage_to: NaiveDate,
    /// The days the unscheduled units are averaged over.
    pub usage_days: u32,
    pub supplier_set: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemForecast {
    pub item_id: ItemId,
    pub available: i64,
    pub on_order: i64,
    pub refills: u32,
    pub scheduled: f64,
    pub unscheduled: f64,
    pub projection: Projection,
    pub suggestion: Option<Suggestion>,
    pub basis: Basis,
}

/// `GET /forecast`: one forecast per active item, or the one asked for, over `horizon_days`.
pub fn forecast(
    conn: &mut DbConnection,
    today: NaiveDate,
    horizon_days: u32,
    only: Option<ItemId>,
    policy: ForecastPolicy,
) -> Result<Vec<ItemForecast>, ForecastError> {
    read_snapshot(conn, |conn| {
        let scope = only.map(|id| [id]);
        let bases = load(conn, scope.as_ref().map(|s| &s[..]), today, policy, |_| horizon_days)?;
        if let (Some(id), true) = (only, bases.is_empty()) {
            return Err(ForecastError::NotFound(id));
        }
        Ok(bases.into_iter().map(|(item, basis)| figure(item, basis)).collect())
    })
}

/// One page of the forecasts, in item id order like every list.
pub fn forecast_page(
    conn: &mut DbConnection,
    today: NaiveDate,
    horizon_days: u32,
    only: Option<ItemId>,
    policy: ForecastPolicy,
    page: PageRequest,
) -> Result<Page<ItemForecast>, ForecastError> {
    let rows: Vec<ItemForecast> = forecast(conn, today, horizon_days, only, policy)?
        .into_iter()
        .filter(|f| page.after.is_none_or(|after| f.item_id.0 > after))
        .take(page.limit as usize + 1)
        .collect();
    Ok(Page::from_rows(rows, page, |f| f.item_id.0))
}

fn figure(item_id: ItemId, basis: Basis) -> ItemForecast {
    let inputs = &basis.inputs;
    let projection = project(inputs);
    let per_day = refills_per_day(&inputs.roster, inputs.today, inputs.horizon_days);
    let refills: u32 = per_day.iter().sum();
    ItemForecast {
        item_id,
        available: inputs.usable() as i64,
        on_order: inputs.on_order() as i64,
        refills,
        scheduled: f64::from(refills) * inputs.per_refill,
        unscheduled: inputs.unscheduled_per_day * f64::from(inputs.horizon_days),
        suggestion: suggest(inputs, basis.ordering),
        projection,
        basis,
    }
}

/// The inputs of each active item in scope, read once for all of them (a handful of queries,
/// whatever the number of items); `horizon` gives each item's horizon.
pub(crate) fn load(
    conn: &mut DbConnection,
    scope: Option<&[ItemId]>,
    today: NaiveDate,
    policy: ForecastPolicy,
    horizon: impl Fn(&Ordering) -> u32,
) -> Result<Vec<(ItemId, Basis)>, StorageError> {
    let items = repo::forecast::active_items(conn, scope)?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let mut lots: HashMap<ItemId, Vec<SupplyLot>> = HashMap::new();
    for (item, expires_on, units) in repo::forecast::usable_lots(conn, scope, today)? {
        lots.entry(item).or_default().push(SupplyLot {
            expires_on,
            quantity: units as f64,
        });
    }
    let mut arrivals: HashMap<ItemId, Vec<Arrival>> = HashMap::new();
    for line in repo::orders::pending_lines(conn, scope)? {
        let units = remaining(line.quantity, line.received_quantity);
        if units > 0 {
            arrivals.entry(line.item_id).or_default().push(Arrival {
                on: line.expected_on,
                quantity: units as f64,
            });
        }
    }
    let bundle = repo::forecast::refill_bundle(conn)?;
    let per_procedure = repo::forecast::largest_other_procedure_lines(conn)?;
    // Items a refill or another procedure does not consume are not moved by the roster: it is
    // not read for them (a rinse or catheter change needs a patient on the MIP).
    let consumed = items
        .iter()
        .any(|i| bundle.get(&i.item_id).is_some_and(|units| *units > 0) || per_procedure.contains_key(&i.item_id));
    let booked = if consumed {
        repo::forecast::roster(conn)?
    } else {
        Vec::new()
    };
    let mut roster = Vec::new();
    for (next_refill_on, interval_days, patients) in booked {
        roster.extend(std::iter::repeat_n(
            Refills {
                next_refill_on,
                interval_days,
            },
            patients as usize,
        ));
    }
    let usage_days = usage_window_days(today, repo::forecast::ledger_started_on(conn)?);
    let usage_from = today - Duration::days(i64::from(usage_days));
    let usage_to = today - Duration::days(1);
    let usage = repo::forecast::unscheduled_between(conn, scope, usage_from, usage_to)?;
    Ok(items
        .into_iter()
        .map(|item: Ordered| {
            let ordering = Ordering {
                lead_time_days: item.lead_time_days.unwrap_or(0),
                review_days: policy.review_days,
                safety_days: policy.safety_days,
                pack_size: item.pack_size,
                shelf_life_days: item.shelf_life_days,
            };
            let per_refill = bundle.get(&item.item_id).copied().unwrap_or(0);
            let in_window = usage.get(&item.item_id).copied().unwrap_or(0).max(0);
            let inputs = Inputs {
                today,
                horizon_days: horizon(&ordering).max(1),
                lots: lots.remove(&item.item_id).unwrap_or_default(),
                arrivals: arrivals.remove(&item.item_id).unwrap_or_default(),
                per_refill: per_refill as f64,
                // Without refills of this item the roster does not move it.
                roster: if per_refill > 0 { roster.clone() } else { Vec::new() },
                unscheduled_per_day: in_window as f64 / f64::from(usage_days),
                per_procedure: if roster.is_empty() {
                    0.0
                } else {
                    per_procedure.get(&item.item_id).copied().unwrap_or(0) as f64
                },
            };
            let basis = Basis {
                ordering,
                patients: roster.len() as u32,
                unscheduled_in_window: in_window,
                usage_from,
                usage_to,
                usage_days,
                supplier_set: item.lead_time_days.is_some(),
                inputs,
            };
            (item.item_id, basis)
        })
        .collect())
}
