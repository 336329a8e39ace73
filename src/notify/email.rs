//! What an alert email says. Plain text that reads well on a phone, the same in HTML. It names
//! items, lots and locations, never a patient.

use chrono::NaiveDate;

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
        (_, None) => format!("Stock alert: {}", f.item_name),
    };
    if f.reminder {
        format!("Reminder: {main}")
    } else {
        main
    }
}

fn rows(f: &AlertFacts) -> Vec<(String, String)> {
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
        }
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
}
