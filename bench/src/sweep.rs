//! `mipstock-bench simulate-sweep`: `mipstock simulate` over many seeds, centre sizes and supply
//! conditions, both policies on each, summed into the table of the README's "Is the forecast
//! worth it?" (how often each policy missed a refill, mean stock, waste).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use mipstock::domain::forecast::ForecastPolicy;
use mipstock::simulate::{simulate, Policy, PolicyReport, SimulationSpec};

pub struct Sweep {
    pub seeds: u64,
    pub patients: Vec<u32>,
    pub days: u32,
    pub lead_time_days: u32,
    pub delay_days_max: u32,
    pub disruption_days: u32,
    pub threads: usize,
    /// The forecast settings to compare (review days, safety days).
    pub forecast: Vec<ForecastPolicy>,
}

/// Supply conditions: on time, late by up to `delay_days_max`, and late with one outage.
fn conditions(sweep: &Sweep) -> Vec<(String, u32, u32)> {
    vec![
        ("on time".to_owned(), 0, 0),
        (format!("late ≤ {} d", sweep.delay_days_max), sweep.delay_days_max, 0),
        (
            format!(
                "late ≤ {} d, {}-day outage",
                sweep.delay_days_max, sweep.disruption_days
            ),
            sweep.delay_days_max,
            sweep.disruption_days,
        ),
    ]
}

#[derive(Default, Clone)]
struct Tally {
    runs: u32,
    runs_with_a_miss: u32,
    missed: u64,
    days_late: u64,
    procedures_missed: u64,
    refills_due: u64,
    insulin_on_hand: f64,
    all_on_hand: f64,
    expired: i64,
    orders: u64,
}

impl Tally {
    fn add(&mut self, report: &PolicyReport) {
        self.runs += 1;
        self.runs_with_a_miss += u32::from(report.refills_missed > 0);
        self.missed += report.refills_missed;
        self.days_late += report.days_late;
        self.procedures_missed += report.procedures_missed;
        self.refills_due += report.refills_due;
        self.insulin_on_hand += insulin(report);
        self.all_on_hand += report.mean_on_hand.values().sum::<f64>();
        self.expired += report.units_expired;
        self.orders += report.orders;
    }

    fn absorb(&mut self, other: &Tally) {
        self.runs += other.runs;
        self.runs_with_a_miss += other.runs_with_a_miss;
        self.missed += other.missed;
        self.days_late += other.days_late;
        self.procedures_missed += other.procedures_missed;
        self.refills_due += other.refills_due;
        self.insulin_on_hand += other.insulin_on_hand;
        self.all_on_hand += other.all_on_hand;
        self.expired += other.expired;
        self.orders += other.orders;
    }
}

const STATIC: &str = "static";

fn insulin(report: &PolicyReport) -> f64 {
    report.mean_on_hand.get("INS-400-10ML").copied().unwrap_or(0.0)
}

fn label(forecast: &ForecastPolicy) -> String {
    format!("forecast {}/{}", forecast.review_days, forecast.safety_days)
}

type Key = (usize, u32, String);

pub fn run(sweep: &Sweep) -> String {
    let conditions = conditions(sweep);
    let mut jobs = Vec::new();
    for (c, (_, delay, outage)) in conditions.iter().enumerate() {
        for patients in &sweep.patients {
            for seed in 1..=sweep.seeds {
                jobs.push((c, *patients, seed, *delay, *outage));
            }
        }
    }
    let total = jobs.len();
    let jobs = Arc::new(Mutex::new(jobs));
    let tallies: Arc<Mutex<BTreeMap<Key, Tally>>> = Arc::default();
    // Runs where the forecast missed more refills than the static rule.
    let worse: Arc<Mutex<Vec<String>>> = Arc::default();
    let started = Instant::now();
    let names = &conditions;
    std::thread::scope(|scope| {
        for _ in 0..sweep.threads.max(1) {
            let (jobs, tallies, worse) = (jobs.clone(), tallies.clone(), worse.clone());
            scope.spawn(move || loop {
                let Some((c, patients, seed, delay, outage)) = jobs.lock().expect("jobs").pop() else {
                    break;
                };
                let spec = |policy, forecast| SimulationSpec {
                    patients,
                    days: sweep.days,
                    seed,
                    policies: vec![policy],
                    lead_time_days: sweep.lead_time_days,
                    delay_days_max: delay,
                    disruption_days: outage,
                    forecast,
                };
                let once = |policy, forecast| {
                    simulate(&spec(policy, forecast), |_| {})
                        .expect("a simulation")
                        .policies
                        .remove(0)
                };
                // The static rule does not read the forecast settings: one run serves them all.
                let stat = once(Policy::Static, sweep.forecast[0]);
                let mut line = format!(
                    "condition {c} patients {patients:>3} seed {seed:>3}: static missed {} insulin {:.1} expired {}",
                    stat.refills_missed,
                    insulin(&stat),
                    stat.units_expired
                );
                let mut tallied = vec![(STATIC.to_owned(), stat.clone())];
                for forecast in &sweep.forecast {
                    let fore = once(Policy::Forecast, *forecast);
                    let name = label(forecast);
                    line.push_str(&format!(
                        " | {name} missed {} insulin {:.1} expired {}",
                        fore.refills_missed,
                        insulin(&fore),
                        fore.units_expired
                    ));
                    if fore.refills_missed > stat.refills_missed {
                        worse.lock().expect("worse").push(format!(
                            "{name}, {}, {patients} patients, seed {seed}: static {} forecast {}",
                            names[c].0, stat.refills_missed, fore.refills_missed
                        ));
                    }
                    tallied.push((name, fore));
                }
                eprintln!("{line}");
                let mut tallies = tallies.lock().expect("tallies");
                for (name, report) in tallied {
                    tallies.entry((c, patients, name)).or_default().add(&report);
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let tallies = tallies.lock().expect("tallies");
    let mut out = format!(
        "{total} centres of {} days (seeds 1–{}, lead time {} days), each run by the static rule and by the \
         forecast with each setting (review days/safety days), in {seconds:.0} s on {} threads.\n\n\
         | supply | patients | policy | runs with a missed refill | refills missed / due | days late | \
         rinses and catheter changes missed | mean insulin on hand (vials) | mean units on hand, all items | \
         units expired | orders per run |\n\
         |---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        sweep.days, sweep.seeds, sweep.lead_time_days, sweep.threads
    );
    let mut totals: BTreeMap<(usize, &str), Tally> = BTreeMap::new();
    // Rows in name order: each forecast setting, then the static rule.
    for ((c, patients, policy), t) in tallies.iter() {
        let policy = policy.as_str();
        let runs = f64::from(t.runs.max(1));
        out.push_str(&format!(
            "| {} | {patients} | {policy} | {} of {} | {} / {} | {} | {} | {:.1} | {:.1} | {} | {:.1} |\n",
            conditions[*c].0,
            t.runs_with_a_miss,
            t.runs,
            t.missed,
            t.refills_due,
            t.days_late,
            t.procedures_missed,
            t.insulin_on_hand / runs,
            t.all_on_hand / runs,
            t.expired,
            t.orders as f64 / runs,
        ));
        totals.entry((*c, policy)).or_default().absorb(t);
    }
    out.push_str(
        "\nOver all sizes:\n\n| supply | policy | runs with a missed refill | refills missed / due | \
         rinses and catheter changes missed | insulin on hand, % of static | units expired |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    for ((c, policy), t) in &totals {
        let of_static = totals.get(&(*c, STATIC)).map_or(0.0, |s| s.insulin_on_hand);
        out.push_str(&format!(
            "| {} | {policy} | {} of {} | {} / {} | {} | {:.0} % | {} |\n",
            conditions[*c].0,
            t.runs_with_a_miss,
            t.runs,
            t.missed,
            t.refills_due,
            t.procedures_missed,
            100.0 * t.insulin_on_hand / of_static.max(f64::EPSILON),
            t.expired
        ));
    }
    let worse = worse.lock().expect("worse");
    out.push_str(&format!(
        "\nRuns where the forecast missed more refills than the static rule: {}.\n",
        worse.len()
    ));
    for line in worse.iter() {
        out.push_str(&format!("- {line}\n"));
    }
    out
}
