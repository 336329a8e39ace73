//! What an alert email says. Plain text that reads well on a phone, the same in HTML. It names
//! items, lots and locations, never a patient.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::domain::email_facts::{order_name, subject, units, AlertFacts, LotLine};

/// An email as it leaves: subject, plain text, HTML.
pub struct EmailContent {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A stored UTC time on the pharmacy's clock.
fn local(at: NaiveDateTime, zone: Tz) -> String {
    use chrono::TimeZone;
    zone.from_utc_datetime(&at).format("%Y-%m-%d %H:%M %Z").to_string()
}

fn rows(f: &AlertFacts, zone: Tz) -> Vec<(String, String)> {
    if let Some(e) = &f.excursion {
        let mut rows = vec![
            ("Fridge".to_owned(), e.location.clone()),
            (
                "When".to_owned(),
                match e.ended_at {
                    Some(end) => format!("{} to {}", local(e.started_at, zone), local(end, zone)),
                    None => format!("since {}, not over", local(e.started_at, zone)),
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
                    decision
                        .as_deref()
                        .unwrap_or("waiting for a pharmacist: release or destroy")
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
    let note = l.note.as_ref().map(|n| format!(" [{n}]")).unwrap_or_default();
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

/// The email the facts say, times on the pharmacy's clock (`server.time_zone`).
pub fn compose(f: &AlertFacts, zone: Tz) -> EmailContent {
    let subject = subject(f);
    let footer = format!("Acknowledge alert #{} in mipstock to stop reminders.", f.alert_id);
    let mut text = format!("{subject}\n\n");
    for (label, value) in rows(f, zone) {
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
    for (label, value) in rows(f, zone) {
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
    use crate::domain::alert::AlertKind;
    use crate::domain::email_facts::{ExcursionFacts, ForecastFacts, OrderFacts};
    use crate::domain::stock::{StockFigures, StockStatus};
    use chrono::NaiveDate;

    const PARIS: Tz = chrono_tz::Europe::Paris;

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
        let email = compose(&f, PARIS);
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
                .contains("When: 2026-11-20 03:00 CET to 2026-11-20 06:00 CET"),
            "{}",
            email.text
        );
    }

    #[test]
    fn subject_says_what_and_how_bad() {
        let email = compose(&facts(AlertKind::LowStock), PARIS);
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
            compose(&reminder, PARIS).subject,
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
        let email = compose(&f, PARIS);
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
        let email = compose(&f, PARIS);
        assert_eq!(
            email.subject,
            "Order overdue: order PO-17 (#4) from Sanofi was expected on 2026-11-15"
        );
        assert!(email
            .text
            .contains("Still to come: 30 vials of Insuman Implantable 400 IU/ml"));
    }
}
