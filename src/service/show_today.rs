//! The web app's landing page: per item, stock and forecast; open alerts; refills of the next
//! seven days; orders on their way or late. Reads only, through the same use-cases as the API.

use chrono::NaiveDate;

use crate::db::DbConnection;
use crate::domain::alert::{Alert, AlertState};
use crate::domain::catalog::{Item, ItemFilter};
use crate::domain::forecast::{ForecastPolicy, DEFAULT_HORIZON_DAYS};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::domain::ids::{ItemId, LocationId};
use crate::domain::page::read_all;
use crate::domain::patient::{refills_due_before, Patient, PatientFilter, PatientStatus, TODAY_REFILLS_DAYS};
use crate::domain::stock::{figures, StockFigures};
use crate::domain::supply::{is_overdue, Order};
use crate::repo;

use super::count_stock::{count_stock, StockQuery};
use super::forecast::{forecast, ForecastError};
use super::read_catalog::ReadError;
use super::read_supply::pending_orders;

/// One row of the stock table.
pub struct TodayItem {
    pub item: Item,
    pub figures: StockFigures,
    pub on_order: i64,
    pub days_of_cover: Option<i64>,
    pub stockout_on: Option<NaiveDate>,
}

pub struct Today {
    pub items: Vec<TodayItem>,
    /// Open and acknowledged alerts, with their item's name.
    pub alerts: Vec<NamedAlert>,
    /// Active patients due within seven days (overdue first), in date order.
    pub refills: Vec<Patient>,
    /// Pending orders with whether each is late.
    pub orders: Vec<(Order, bool)>,
}

/// An alert with the names a person reads it by.
#[derive(Debug, Clone)]
pub struct NamedAlert {
    pub alert: Alert,
    pub item: String,
    /// `None`: all locations together (a threshold over every location, a lot, the forecast).
    pub location: Option<String>,
}

/// The alerts in these states, newest first, each with its item's and location's names.
pub fn alerts_named(conn: &mut DbConnection, states: &[AlertState]) -> Result<Vec<NamedAlert>, ReadError> {
    let mut items: HashMap<ItemId, String> = HashMap::new();
    let mut locations: HashMap<LocationId, String> = HashMap::new();
    let mut alerts = Vec::new();
    for state in states {
        let filter = repo::alerts::AlertFilter {
            state: Some(*state),
            kind: None,
        };
        for alert in read_all(|page| repo::alerts::list(conn, &filter, page))? {
            let item = match items.entry(alert.item_id) {
                Entry::Occupied(known) => known.get().clone(),
                Entry::Vacant(slot) => slot
                    .insert(
                        repo::items::find(conn, alert.item_id)?
                            .map(|i| i.name)
                            .unwrap_or_default(),
                    )
                    .clone(),
            };
            let location = match alert.location_id {
                None => None,
                Some(id) => Some(match locations.entry(id) {
                    Entry::Occupied(known) => known.get().clone(),
                    Entry::Vacant(slot) => slot
                        .insert(repo::locations::find(conn, id)?.map(|l| l.name).unwrap_or_default())
                        .clone(),
                }),
            };
            alerts.push(NamedAlert { alert, item, location });
        }
    }
    alerts.sort_by_key(|a| std::cmp::Reverse((a.alert.opened_at, a.alert.id)));
    Ok(alerts)
}

pub fn show_today(conn: &mut DbConnection, today: NaiveDate, policy: ForecastPolicy) -> Result<Today, ReadError> {
    let forecasts = forecast(conn, today, DEFAULT_HORIZON_DAYS, None, policy).map_err(|e| match e {
        ForecastError::Storage(s) => ReadError::Storage(s),
        ForecastError::NotFound(_) => ReadError::NotFound,
    })?;
    let stock = read_all(|page| count_stock(conn, &StockQuery::default(), today, page))?;
    let active = ItemFilter {
        active: Some(true),
        ..ItemFilter::default()
    };
    let items = read_all(|page| repo::items::list(conn, &active, page))?;
    let rows = items
        .into_iter()
        .map(|item| {
            let forecast = forecasts.iter().find(|f| f.item_id == item.id);
            let row = stock.iter().find(|r| r.item_id == item.id);
            TodayItem {
                figures: row.map_or_else(|| figures(&[], today, None), |r| r.figures.clone()),
                on_order: row.map_or(0, |r| r.on_order),
                days_of_cover: forecast.and_then(|f| f.projection.days_of_cover),
                stockout_on: forecast.and_then(|f| f.projection.stockout_on),
                item,
            }
        })
        .collect::<Vec<_>>();
    let alerts = alerts_named(conn, &[AlertState::Open, AlertState::Acknowledged])?;
    let due = PatientFilter {
        status: Some(PatientStatus::Active),
        refill_due_before: Some(refills_due_before(today, TODAY_REFILLS_DAYS)),
    };
    let mut refills = read_all(|page| repo::patients::list(conn, &due, page))?;
    refills.sort_by_key(|p| (p.next_refill_on, p.id));
    let orders = pending_orders(conn)?
        .into_iter()
        .map(|o| {
            let late = is_overdue(o.status, o.expected_on, today);
            (o, late)
        })
        .collect();
    Ok(Today {
        items: rows,
        alerts,
        refills,
        orders,
    })
}
