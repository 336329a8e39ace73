//! The web app's landing page: per item, stock and forecast; open alerts; refills of the next
//! seven days; orders on their way or late. Reads only, through the same use-cases as the API.

use chrono::{Duration, NaiveDate};

use crate::db::DbConnection;
use crate::domain::alert::{Alert, AlertState};
use crate::domain::catalog::{Item, ItemFilter};
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::ItemId;
use crate::domain::page::PageRequest;
use crate::domain::patient::{Patient, PatientFilter, PatientStatus};
use crate::domain::stock::{figures, StockFigures};
use crate::domain::supply::{is_overdue, Order, OrderFilter};
use crate::repo;

use super::count_stock::{count_stock, StockQuery};
use super::forecast::{forecast, ForecastError};
use super::read_catalog::ReadError;

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
    pub alerts: Vec<(Alert, String)>,
    /// Active patients due within seven days (overdue first), in date order.
    pub refills: Vec<Patient>,
    /// Pending orders with whether each is late.
    pub orders: Vec<(Order, bool)>,
}

/// The alerts in these states (id order within each), each with its item's name.
pub fn alerts_named(conn: &mut DbConnection, states: &[AlertState]) -> Result<Vec<(Alert, String)>, ReadError> {
    let mut names: std::collections::HashMap<ItemId, String> = std::collections::HashMap::new();
    let mut alerts = Vec::new();
    for state in states {
        let filter = repo::alerts::AlertFilter {
            state: Some(*state),
            kind: None,
        };
        for alert in repo::alerts::list(conn, &filter, PageRequest::FIRST_MAX)?.items {
            let name = match names.entry(alert.item_id) {
                std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let name = repo::items::find(conn, alert.item_id)?
                        .map(|i| i.name)
                        .unwrap_or_default();
                    slot.insert(name).clone()
                }
            };
            alerts.push((alert, name));
        }
    }
    Ok(alerts)
}

pub fn show_today(conn: &mut DbConnection, today: NaiveDate, policy: ForecastPolicy) -> Result<Today, ReadError> {
    let forecasts = forecast(conn, today, 90, None, policy).map_err(|e| match e {
        ForecastError::Storage(s) => ReadError::Storage(s),
        ForecastError::NotFound(_) => ReadError::NotFound,
    })?;
    let stock = count_stock(conn, &StockQuery::default(), today, PageRequest::FIRST_MAX)?;
    let items = repo::items::list(
        conn,
        &ItemFilter {
            active: Some(true),
            ..ItemFilter::default()
        },
        PageRequest::FIRST_MAX,
    )?;
    let rows = items
        .items
        .into_iter()
        .map(|item| {
            let forecast = forecasts.iter().find(|f| f.item_id == item.id);
            let row = stock.items.iter().find(|r| r.item_id == item.id);
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
    let mut refills = repo::patients::list(
        conn,
        &PatientFilter {
            status: Some(PatientStatus::Active),
            refill_due_before: Some(today + Duration::days(8)),
        },
        PageRequest::FIRST_MAX,
    )?
    .items;
    refills.sort_by_key(|p| (p.next_refill_on, p.id));
    let orders = repo::orders::list(conn, &OrderFilter::default(), PageRequest::FIRST_MAX)?
        .items
        .into_iter()
        .filter(|o| o.status.is_pending())
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
