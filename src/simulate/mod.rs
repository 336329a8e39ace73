//! `mipstock simulate`: a MIP centre over years, on a throwaway SQLite database, driven day by
//! day through the same use-cases as the API with the simulated day as the clock; the static
//! reorder point and the forecast decide the orders, and the figures say which served the
//! refills with less stock and less waste.

mod centre;
mod chart;
pub mod events;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::forecast::ForecastPolicy;

pub use centre::SimulateError;

/// Which policy decides the orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// A reorder point and quantity set once from the expected demand, as a careful pharmacist
    /// would with a static tool.
    Static,
    /// What the forecast suggests, on the review cycle.
    Forecast,
}

#[derive(Debug, Clone)]
pub struct SimulationSpec {
    pub patients: u32,
    pub days: u32,
    pub seed: u64,
    pub policies: Vec<Policy>,
    pub lead_time_days: u32,
    pub delay_days_max: u32,
    pub disruption_days: u32,
    /// The forecast policy's review and safety periods (the configured `forecast.*`).
    pub forecast: ForecastPolicy,
}

/// What one policy did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyReport {
    pub policy: Policy,
    pub refills_due: u64,
    pub refills_missed: u64,
    pub days_late: u64,
    /// Rinses and catheter changes that could not be done on their day for want of stock.
    pub procedures_missed: u64,
    /// Mean units on hand per item code, over the days.
    pub mean_on_hand: BTreeMap<String, f64>,
    pub units_expired: i64,
    pub orders: u64,
    /// The run day by day (for `--out`), not in the JSON.
    #[serde(skip)]
    pub days: Vec<DayRecord>,
}

/// One simulated day of one policy, at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct DayRecord {
    pub date: chrono::NaiveDate,
    /// Units on hand per item code.
    pub on_hand: BTreeMap<String, i64>,
    /// Refills missed that day (new ones and retries).
    pub missed: u32,
    pub in_outage: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub policies: Vec<PolicyReport>,
}

/// The refill book of one patient: the day the next refill is due and, once missed, the day it
/// was first due. A refill not served in full on its day is missed once and retried every day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    pub due: u32,
    pub missed_since: Option<u32>,
}

impl Booking {
    /// Served on `day`: the next is due an interval later; returns the days it was late.
    pub fn served(&mut self, day: u32, interval: u32) -> u32 {
        let late = self.missed_since.map(|since| day - since).unwrap_or(0);
        self.due = day + interval;
        self.missed_since = None;
        late
    }

    /// Not served on `day`: retried tomorrow; returns whether this is a new missed refill.
    pub fn missed(&mut self, day: u32) -> bool {
        let new = self.missed_since.is_none();
        self.missed_since.get_or_insert(day);
        self.due = day + 1;
        new
    }
}

/// Runs every policy of the spec on its own throwaway database; `progress` is told each day.
pub fn simulate(spec: &SimulationSpec, mut progress: impl FnMut(u32)) -> Result<Report, SimulateError> {
    let mut policies = Vec::new();
    for policy in &spec.policies {
        policies.push(centre::run(spec, *policy, &mut progress)?);
    }
    Ok(Report { policies })
}

impl Report {
    /// The chart of `--out`: insulin on hand for each policy, the outage and missed refills.
    pub fn svg(&self) -> Result<String, String> {
        chart::svg(self)
    }

    /// One row per day and policy: date, policy, outage, refills missed, units on hand per item.
    pub fn csv(&self) -> String {
        let codes: Vec<String> = self
            .policies
            .first()
            .map(|p| p.mean_on_hand.keys().cloned().collect())
            .unwrap_or_default();
        let mut out = format!("date,policy,outage,refills_missed,{}\n", codes.join(","));
        for p in &self.policies {
            let policy = format!("{:?}", p.policy).to_lowercase();
            for d in &p.days {
                let units: Vec<String> = codes
                    .iter()
                    .map(|c| d.on_hand.get(c).copied().unwrap_or(0).to_string())
                    .collect();
                out.push_str(&format!(
                    "{},{policy},{},{},{}\n",
                    d.date,
                    u8::from(d.in_outage),
                    d.missed,
                    units.join(",")
                ));
            }
        }
        out
    }

    /// The table a pharmacist reads: one column per policy.
    pub fn table(&self) -> String {
        let mut rows: Vec<(String, Vec<String>)> = vec![
            (
                "policy".into(),
                self.policies
                    .iter()
                    .map(|p| format!("{:?}", p.policy).to_lowercase())
                    .collect(),
            ),
            (
                "refills due".into(),
                self.policies.iter().map(|p| p.refills_due.to_string()).collect(),
            ),
            (
                "refills missed".into(),
                self.policies.iter().map(|p| p.refills_missed.to_string()).collect(),
            ),
            (
                "days late".into(),
                self.policies.iter().map(|p| p.days_late.to_string()).collect(),
            ),
            (
                "rinses/catheter changes missed".into(),
                self.policies.iter().map(|p| p.procedures_missed.to_string()).collect(),
            ),
        ];
        let codes: Vec<String> = self
            .policies
            .first()
            .map(|p| p.mean_on_hand.keys().cloned().collect())
            .unwrap_or_default();
        for code in codes {
            rows.push((
                format!("mean on hand {code}"),
                self.policies
                    .iter()
                    .map(|p| format!("{:.1}", p.mean_on_hand.get(&code).copied().unwrap_or(0.0)))
                    .collect(),
            ));
        }
        rows.push((
            "units expired".into(),
            self.policies.iter().map(|p| p.units_expired.to_string()).collect(),
        ));
        rows.push((
            "orders".into(),
            self.policies.iter().map(|p| p.orders.to_string()).collect(),
        ));
        let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (label, values) in rows {
            out.push_str(&format!("{label:<width$}"));
            for value in values {
                out.push_str(&format!("  {value:>12}"));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missed_refill_counts_once_and_its_lateness_when_served() {
        let mut booking = Booking {
            due: 10,
            missed_since: None,
        };
        assert!(booking.missed(10), "missed on its day");
        assert!(!booking.missed(11), "the retry the next day is the same missed refill");
        assert_eq!(booking.due, 12);
        assert_eq!(booking.served(12, 42), 2, "two days late");
        assert_eq!((booking.due, booking.missed_since), (54, None));
        assert_eq!(booking.served(54, 42), 0);
    }
}
