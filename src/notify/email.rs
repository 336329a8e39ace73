//! What an alert email says. Plain text that reads well on a phone, the same in HTML. It names
//! items, lots and locations, never a patient.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::alert::AlertKind;
use crate::domain::stock::StockFigures;
use crate::repo::notifications::EmailContent;

/// A lot as the email lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct LotLine {
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub quantity: i64,
    pub location: String,
    pub note: Option<&'static str>,
}

/// Everything an alert email shows.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct ExcursionFacts {
    pub location: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub max_temperature_c: f64,
    pub min_temperature_c: Option<f64>,
    /// (item name, lot number, units held, unit, decision taken if any).
    pub held: Vec<(String, String, i64, String, Option<&'static str>)>,
}

/// What the forecast says of an item running out (counts only: never a patient).
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct OrderFacts {
    pub order_id: i64,
    pub reference: Option<String>,
    pub supplier: String,
    pub ordered_on: NaiveDate,
    pub expected_on: NaiveDate,
    /// (item name, units still to come, unit).
    pub outstanding: Vec<(String, i64, String)>,
}

fn units(n: i64, unit: &str) -> String {
    if n == 1 || unit.ends_with('s') {
        format!("{n} {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

fn subject(f: &AlertFacts) -> String {
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

fn order_name(order: &OrderFacts) -> String {
    match &order.reference {
        Some(reference) => format!("order {reference} (#{})", order.order_id),
        None => format!("order #{}", order.order_id),
    }
}

fn rows(f: &AlertFacts) -> Vec<(String, String)> {
    if let Some(e) = &f.excursion {
        let mut rows = vec![
            ("Fridge".to_owned(), e.location.clone()),
            (
                "When".to_owned(),
                match e.ended_at {
                    Some(end) => format!("{} to {end} (UTC)", e.started_at),
                    None => format!("since {} (UTC), not over", e.started_at),
                },
            ),
            (
                "Temperature".to_owned(),
                match e.min_temperature_c {
                    Some(min) => format!("{min} to {} °C (kept at 2–8 °C)", e.max_temperature_c),
                    None => format!("up to {} °C (kept at 2–8 °C)", e.max_temperature_c),
                },
            ),
        ];
        for (item, lot, quantity, unit, decision) in &e.held {
            rows.push((
                "Held".to_owned(),
                format!(
                    "{item} lot {lot}: {} — {}",
                    units(*quantity, unit),
                    decision.unwrap_or("waiting for a pharmacist: release or destroy")
                ),
            ));
        }
        return rows;
    }
    if let Some(order) = &f.order {
        let mut rows = vec![
            ("Order".to_owned(), order_name(order)),
            ("Supplier".to_owned(), order.supplier.clone()),
            ("Ordered on".to_owned(), order.ordered_on.to_string()),
            ("Expected on".to_owned(), order.expected_on.to_string()),
        ];
        for (name, remaining, unit) in &order.outstanding {
            rows.push((
                "Still to come".to_owned(),
                format!("{} of {name}", units(*remaining, unit)),
            ));
        }
        return rows;
    }
    let mut rows = vec![
        ("Item".to_owned(), format!("{} ({})", f.item_name, f.item_code)),
        (
            "Where".to_owned(),
            f.location.clone().unwrap_or_else(|| "all locations".to_owned()),
        ),
        ("Available".to_owned(), units(f.figures.available, &f.unit)),
        (
            "On hand".to_owned(),
            format!(
                "{} (expired {}, quarantined {})",
                f.figures.on_hand, f.figures.expired, f.figures.quarantined
            ),
        ),
    ];
    if let Some(point) = f.reorder_point {
        rows.push(("Reorder point".to_owned(), point.to_string()));
    }
    if let Some(quantity) = f.reorder_quantity {
        rows.push(("Reorder quantity".to_owned(), quantity.to_string()));
    }
    if let Some(days) = f.lead_time_days {
        rows.push(("Lead time".to_owned(), format!("{days} days")));
    }
    if let Some(forecast) = &f.forecast {
        rows.push(("Projected stockout".to_owned(), forecast.stockout_on.to_string()));
        rows.push((
            "Refills at risk".to_owned(),
            format!(
                "{} booked from {} to {}",
                forecast.refills_at_risk, forecast.stockout_on, forecast.window_end
            ),
        ));
        rows.push((
            "Supplier".to_owned(),
            format!(
                "{} (lead time {} days)",
                forecast.supplier.as_deref().unwrap_or("none set"),
                forecast.lead_time_days
            ),
        ));
        if let Some((quantity, order_by, expected_on)) = forecast.suggestion {
            rows.push((
                "Suggested order".to_owned(),
                format!(
                    "{}, order by {order_by} (lands {expected_on} if ordered today)",
                    units(i64::from(quantity), &f.unit)
                ),
            ));
        }
    }
    if let Some(lot) = &f.lot {
        rows.push((
            "Lot".to_owned(),
            format!("{} (expires {})", lot.lot_number, lot.expires_on),
        ));
    }
    rows
}

fn lot_text(l: &LotLine) -> String {
    let note = l.note.map(|n| format!(" [{n}]")).unwrap_or_default();
    format!(
        "{}, expires {}: {} at {}{note}",
        l.lot_number, l.expires_on, l.quantity, l.location
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn compose(f: &AlertFacts) -> EmailContent {
    let subject = subject(f);
    let footer = format!("Acknowledge alert #{} in mipstock to stop reminders.", f.alert_id);
    let mut text = format!("{subject}\n\n");
    for (label, value) in rows(f) {
        text.push_str(&format!("{label}: {value}\n"));
    }
    text.push_str("\nLots on hand:\n");
    if f.lots.is_empty() {
        text.push_str("- none\n");
    }
    for lot in &f.lots {
        text.push_str(&format!("- {}\n", lot_text(lot)));
    }
    text.push_str(&format!("\n{footer}\n"));

    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><h2>{}</h2><table>",
        escape(&subject)
    );
    for (label, value) in rows(f) {
        html.push_str(&format!(
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            escape(&label),
            escape(&value)
        ));
    }
    html.push_str("</table><h3>Lots on hand</h3><ul>");
    if f.lots.is_empty() {
        html.push_str("<li>none</li>");
    }
    for lot in &f.lots {
        html.push_str(&format!("<li>{}</li>", escape(&lot_text(lot))));
    }
    html.push_str(&format!("</ul><p>{}</p></body></html>", escape(&footer)));
    EmailContent { subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stock::StockStatus;

    fn facts(kind: AlertKind) -> AlertFacts {
        AlertFacts {
            alert_id: 7,
            kind,
            reminder: false,
            item_name: "Insuman Implantable 400 IU/ml".into(),
            item_code: "INS-400-10ML".into(),
            unit: "vial".into(),
            location: None,
            figures: StockFigures {
                on_hand: 9,
                available: 6,
                expired: 2,
                quarantined: 1,
                status: StockStatus::Low,
            },
            reorder_point: Some(22),
            reorder_quantity: Some(40),
            lead_time_days: Some(14),
            lot: None,
            lots: vec![LotLine {
                lot_number: "A<1>".into(),
                expires_on: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
                quantity: 6,
                location: "Ward fridge".into(),
                note: None,
            }],
            forecast: None,
            order: None,
            excursion: None,
        }
    }

    #[test]
    fn a_cold_chain_excursion_names_the_fridge_and_what_it_holds() {
        let mut f = facts(AlertKind::ColdChainExcursion);
        let at = |h| {
            NaiveDate::from_ymd_opt(2026, 11, 20)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        f.excursion = Some(ExcursionFacts {
            location: "Ward fridge".into(),
            started_at: at(2),
            ended_at: Some(at(5)),
            max_temperature_c: 14.5,
            min_temperature_c: None,
            held: vec![(
                "Insuman Implantable 400 IU/ml".into(),
                "4F123A".into(),
                6,
                "vial".into(),
                None,
            )],
        });
        let email = compose(&f);
        assert_eq!(
            email.subject,
            "Cold chain excursion: Ward fridge reached 14.5 °C — 6 vials of Insuman Implantable 400 IU/ml held until a pharmacist decides"
        );
        assert!(
            email
                .text
                .contains("Held: Insuman Implantable 400 IU/ml lot 4F123A: 6 vials — waiting for a pharmacist"),
            "{}",
            email.text
        );
        assert!(
            email
                .text
                .contains("When: 2026-11-20 02:00:00 to 2026-11-20 05:00:00 (UTC)"),
            "{}",
            email.text
        );
    }

    #[test]
    fn subject_says_what_and_how_bad() {
        let email = compose(&facts(AlertKind::LowStock));
        assert_eq!(
            email.subject,
            "Low stock: Insuman Implantable 400 IU/ml — 6 vials available (reorder point 22)"
        );
        assert!(email.text.contains("On hand: 9 (expired 2, quarantined 1)"));
        assert!(email.text.contains("Reorder quantity: 40"));
        assert!(email.text.contains("- A<1>, expires 2027-03-01: 6 at Ward fridge"));
        assert!(email.html.contains("A&lt;1&gt;"), "HTML is escaped");
        let mut reminder = facts(AlertKind::OutOfStock);
        reminder.reminder = true;
        reminder.location = Some("Ward fridge".into());
        assert_eq!(
            compose(&reminder).subject,
            "Reminder: Out of stock: Insuman Implantable 400 IU/ml — none available at Ward fridge (reorder point 22)"
        );
    }

    #[test]
    fn a_projected_stockout_says_when_how_many_refills_and_what_to_order() {
        let mut f = facts(AlertKind::ProjectedStockout);
        let on = |d| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
        f.forecast = Some(ForecastFacts {
            stockout_on: on(12),
            refills_at_risk: 3,
            window_end: on(29),
            supplier: Some("Sanofi".into()),
            lead_time_days: 14,
            suggestion: Some((40, on(5), on(15))),
        });
        let email = compose(&f);
        assert_eq!(
            email.subject,
            "Projected stockout: Insuman Implantable 400 IU/ml runs out on 2027-01-12 — 3 refill(s) at risk; order 40 vials by 2027-01-05"
        );
        assert!(email
            .text
            .contains("Refills at risk: 3 booked from 2027-01-12 to 2027-01-29"));
        assert!(email
            .text
            .contains("Suggested order: 40 vials, order by 2027-01-05 (lands 2027-01-15 if ordered today)"));
    }

    #[test]
    fn an_overdue_order_lists_what_is_still_to_come() {
        let mut f = facts(AlertKind::OrderOverdue);
        f.order = Some(OrderFacts {
            order_id: 4,
            reference: Some("PO-17".into()),
            supplier: "Sanofi".into(),
            ordered_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            expected_on: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            outstanding: vec![("Insuman Implantable 400 IU/ml".into(), 30, "vial".into())],
        });
        let email = compose(&f);
        assert_eq!(
            email.subject,
            "Order overdue: order PO-17 (#4) from Sanofi was expected on 2026-11-15"
        );
        assert!(email
            .text
            .contains("Still to come: 30 vials of Insuman Implantable 400 IU/ml"));
    }
}
