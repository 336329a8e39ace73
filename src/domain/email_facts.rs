//! What an alert's email says, as facts: recorded in the outbox by the use-case that opened the
//! alert (in its transaction), composed into words by `notify` when the email leaves. Items,
//! lots and locations, never a patient.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::alert::AlertKind;
use super::stock::StockFigures;

/// A lot as the email lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotLine {
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub quantity: i64,
    pub location: String,
    pub note: Option<String>,
}

/// Everything an alert email shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertFacts {
    pub alert_id: i64,
    pub kind: AlertKind,
    pub reminder: bool,
    pub item_name: String,
    pub item_code: String,
    pub unit: String,
    /// `None`: all locations together.
    pub location: Option<String>,
    pub figures: StockFigures,
    pub reorder_point: Option<i64>,
    pub reorder_quantity: Option<i64>,
    pub lead_time_days: Option<u32>,
    /// For expiry alerts: the lot concerned.
    pub lot: Option<LotLine>,
    pub lots: Vec<LotLine>,
    /// For `projected_stockout`.
    pub forecast: Option<ForecastFacts>,
    /// For `order_overdue`.
    pub order: Option<OrderFacts>,
    /// For `cold_chain_excursion`.
    pub excursion: Option<ExcursionFacts>,
}

/// A fridge that got warm, and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcursionFacts {
    pub location: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub max_temperature_c: f64,
    pub min_temperature_c: Option<f64>,
    /// (item name, lot number, units held, unit, decision taken if any).
    pub held: Vec<(String, String, i64, String, Option<String>)>,
}

/// What the forecast says of an item running out (counts only: never a patient).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastFacts {
    pub stockout_on: NaiveDate,
    /// Refills booked from the stockout to the end of the alert's window.
    pub refills_at_risk: u32,
    pub window_end: NaiveDate,
    pub supplier: Option<String>,
    pub lead_time_days: u32,
    /// (quantity, order by, expected on) of the forecast's suggestion.
    pub suggestion: Option<(u32, NaiveDate, NaiveDate)>,
}

/// A late order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderFacts {
    pub order_id: i64,
    pub reference: Option<String>,
    pub supplier: String,
    pub ordered_on: NaiveDate,
    pub expected_on: NaiveDate,
    /// (item name, units still to come, unit).
    pub outstanding: Vec<(String, i64, String)>,
}

/// `n` units, in the plural when it takes one.
pub fn units(n: i64, unit: &str) -> String {
    if n == 1 || unit.ends_with('s') {
        format!("{n} {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// The email's subject line (also the notification log's).
pub fn subject(f: &AlertFacts) -> String {
    let at = f.location.as_ref().map(|l| format!(" at {l}")).unwrap_or_default();
    let point = f
        .reorder_point
        .map(|p| format!(" (reorder point {p})"))
        .unwrap_or_default();
    let main = match (f.kind, &f.lot) {
        (AlertKind::LowStock, _) => {
            format!(
                "Low stock: {} — {} available{at}{point}",
                f.item_name,
                units(f.figures.available, &f.unit)
            )
        }
        (AlertKind::OutOfStock, _) => format!("Out of stock: {} — none available{at}{point}", f.item_name),
        (AlertKind::Expiring, Some(lot)) => format!(
            "Lot expiring: {} lot {} expires on {} ({})",
            f.item_name,
            lot.lot_number,
            lot.expires_on,
            units(lot.quantity, &f.unit)
        ),
        (AlertKind::Expired, Some(lot)) => format!(
            "Lot expired: {} lot {} expired on {} ({} still in stock)",
            f.item_name,
            lot.lot_number,
            lot.expires_on,
            units(lot.quantity, &f.unit)
        ),
        (AlertKind::ProjectedStockout, _) => match &f.forecast {
            Some(forecast) => format!(
                "Projected stockout: {} runs out on {} — {} refill(s) at risk{}",
                f.item_name,
                forecast.stockout_on,
                forecast.refills_at_risk,
                forecast
                    .suggestion
                    .map(|(quantity, order_by, _)| format!(
                        "; order {} by {order_by}",
                        units(i64::from(quantity), &f.unit)
                    ))
                    .unwrap_or_default()
            ),
            None => format!("Projected stockout: {} no longer projected to run out", f.item_name),
        },
        (AlertKind::ColdChainExcursion, _) => match &f.excursion {
            Some(e) => {
                // Units per item, in the order the lots come.
                let mut per_item: Vec<(&str, i64, &str)> = Vec::new();
                for (item, _, quantity, unit, _) in &e.held {
                    match per_item.iter_mut().find(|(name, _, _)| name == item) {
                        Some(slot) => slot.1 += quantity,
                        None => per_item.push((item, *quantity, unit)),
                    }
                }
                format!(
                    "Cold chain excursion: {} reached {} °C — {} held until a pharmacist decides",
                    e.location,
                    e.max_temperature_c,
                    per_item
                        .iter()
                        .map(|(item, quantity, unit)| format!("{} of {item}", units(*quantity, unit)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            None => format!("Cold chain excursion: {}", f.item_name),
        },
        (AlertKind::OrderOverdue, _) => match &f.order {
            Some(order) => format!(
                "Order overdue: {} from {} was expected on {}",
                order_name(order),
                order.supplier,
                order.expected_on
            ),
            None => format!("Order overdue: {}", f.item_name),
        },
        (_, None) => format!("Stock alert: {}", f.item_name),
    };
    if f.reminder {
        format!("Reminder: {main}")
    } else {
        main
    }
}

/// An order as an email names it.
pub fn order_name(order: &OrderFacts) -> String {
    match &order.reference {
        Some(reference) => format!("order {reference} (#{})", order.order_id),
        None => format!("order #{}", order.order_id),
    }
}
