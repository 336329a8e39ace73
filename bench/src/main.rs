//! mipstock-bench: drives a running mipstock over HTTP and reports throughput and latency
//! percentiles (HDR histogram) per scenario; `ceiling-sqlite` runs the same dispense through the
//! same use-case and driver with no HTTP, the SQLite ceiling. One JSON object per run on stdout.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use hdrhistogram::Histogram;
use serde_json::{json, Value};

mod sweep;

#[derive(Parser)]
#[command(about = "Load generator for mipstock")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, Debug)]
enum Scenario {
    /// Dispense one unit by FEFO.
    Dispense,
    /// GET /api/v1/stock for all items.
    Stock,
    /// GET /api/v1/forecast for every active item (90 days).
    Forecast,
    /// One patient's usage over a year.
    Usage,
    /// A lot's recipients.
    Recipients,
    /// A pharmacist's day: mostly reads, some dispenses and receipts.
    Mixed,
    /// The web app's landing page (Today), signed in with `--cookie`.
    Today,
}

#[derive(Subcommand)]
enum Command {
    /// HTTP load against a running server.
    Load {
        #[arg(long)]
        url: String,
        #[arg(long)]
        token: String,
        #[arg(long, value_enum)]
        scenario: Scenario,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Location to dispense from (holds plenty of the item).
        #[arg(long)]
        location: i64,
        #[arg(long)]
        item: i64,
        /// Patients to draw from (ids first..=last).
        #[arg(long)]
        patients: String,
        /// Lots to ask recipients of (ids first..=last).
        #[arg(long)]
        lots: String,
        /// The web app's session cookie (`mipstock_session=…`), for `today`.
        #[arg(long, default_value = "")]
        cookie: String,
    },
    /// The same dispense through the service with no HTTP (SQLite's ceiling).
    CeilingSqlite {
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long)]
        location: i64,
        #[arg(long)]
        item: i64,
        #[arg(long)]
        patient: i64,
    },
    /// `mipstock simulate` over seeds, centre sizes and supply conditions; a Markdown table.
    SimulateSweep {
        #[arg(long, default_value_t = 10)]
        seeds: u64,
        #[arg(long, value_delimiter = ',', default_value = "10,30,100,250")]
        patients: Vec<u32>,
        #[arg(long, default_value_t = 730)]
        days: u32,
        #[arg(long, default_value_t = 14)]
        lead_time_days: u32,
        #[arg(long, default_value_t = 7)]
        delay_days_max: u32,
        #[arg(long, default_value_t = 30)]
        disruption_days: u32,
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Forecast settings to compare, each review_days/safety_days.
        #[arg(long, value_delimiter = ',', default_value = "28/14,7/35")]
        forecast: Vec<String>,
    },
    /// GS1 codes parsed per second on one core (the examples of GS1.md, raw and bracket forms).
    Gs1 {
        #[arg(long, default_value_t = 2_000_000)]
        codes: usize,
    },
    /// CPU a dispensation spends, and the part of it that evaluates `projected_stockout`.
    AlertCost {
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
        #[arg(long)]
        location: i64,
        #[arg(long)]
        item: i64,
        #[arg(long)]
        patient: i64,
    },
}

fn range(text: &str) -> (i64, i64) {
    let (a, b) = text.split_once("..=").expect("a range first..=last");
    (a.parse().expect("first"), b.parse().expect("last"))
}

struct Tally {
    histogram: Mutex<Histogram<u64>>,
    requests: AtomicU64,
    errors: AtomicU64,
}

impl Tally {
    fn new() -> Arc<Tally> {
        Arc::new(Tally {
            histogram: Mutex::new(Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram")),
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        })
    }

    fn record(&self, started: Instant, ok: bool) {
        let micros = started.elapsed().as_micros().max(1) as u64;
        self.histogram
            .lock()
            .expect("histogram")
            .record(micros.min(60_000_000))
            .ok();
        self.requests.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn report(&self, scenario: &str, concurrency: usize, elapsed: Duration) -> Value {
        let h = self.histogram.lock().expect("histogram");
        let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        let requests = self.requests.load(Ordering::Relaxed);
        json!({
            "scenario": scenario,
            "concurrency": concurrency,
            "requests": requests,
            "errors": self.errors.load(Ordering::Relaxed),
            "seconds": elapsed.as_secs_f64(),
            "throughput": requests as f64 / elapsed.as_secs_f64(),
            "p50_ms": ms(0.5),
            "p95_ms": ms(0.95),
            "p99_ms": ms(0.99),
            "max_ms": h.max() as f64 / 1000.0,
        })
    }
}

async fn load(cli: &Command) {
    let Command::Load {
        url,
        token,
        scenario,
        concurrency,
        seconds,
        location,
        item,
        patients,
        lots,
        cookie,
    } = cli
    else {
        return;
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(*concurrency)
        .build()
        .expect("client");
    let (p_first, p_last) = range(patients);
    let (l_first, l_last) = range(lots);
    let tally = Tally::new();
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(*seconds);
    let today = chrono::Utc::now().date_naive();
    let year_ago = today - chrono::Duration::days(365);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..*concurrency {
        let (client, tally, counter) = (client.clone(), tally.clone(), counter.clone());
        let (url, token, scenario, cookie) = (url.clone(), token.clone(), *scenario, cookie.clone());
        let (location, item) = (*location, *item);
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed) as i64;
                let patient = p_first + n % (p_last - p_first + 1);
                let lot = l_first + n % (l_last - l_first + 1);
                let kind = match scenario {
                    // 70 % reads, 20 % dispenses, 10 % receipts.
                    Scenario::Mixed => match n % 10 {
                        0..=2 => Scenario::Stock,
                        3..=4 => Scenario::Usage,
                        5..=6 => Scenario::Recipients,
                        7..=8 => Scenario::Dispense,
                        _ => Scenario::Mixed,
                    },
                    other => other,
                };
                let request = match kind {
                    Scenario::Dispense => client.post(format!("{url}/api/v1/movements")).json(&json!({
                        "kind": "dispense", "location_id": location, "patient_id": patient,
                        "lines": [{"item_id": item, "quantity": 1}]
                    })),
                    Scenario::Stock => client.get(format!("{url}/api/v1/stock?limit=500")),
                    Scenario::Forecast => client.get(format!("{url}/api/v1/forecast")),
                    Scenario::Usage => client.get(format!("{url}/api/v1/patients/{patient}/usage?from={year_ago}&to={today}")),
                    Scenario::Recipients => client.get(format!("{url}/api/v1/lots/{lot}/recipients")),
                    Scenario::Today => client.get(format!("{url}/")).header("Cookie", &cookie),
                    // The receipt of the mixed day.
                    Scenario::Mixed => client.post(format!("{url}/api/v1/movements")).json(&json!({
                        "kind": "receipt", "location_id": location,
                        "lines": [{"item_id": item, "lot_number": format!("MIX-{}", n % 50), "expires_on": "2099-12-31", "quantity": 1}]
                    })),
                };
                let begun = Instant::now();
                let ok = match request.bearer_auth(&token).send().await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        let _ = response.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                tally.record(begun, ok);
            }
        }));
    }
    for task in tasks {
        task.await.expect("load task");
    }
    let name = format!("{scenario:?}").to_lowercase();
    println!("{}", tally.report(&name, *concurrency, started.elapsed()));
}

fn ceiling_sqlite(cli: &Command) {
    use mipstock::db::DbPool;
    use mipstock::domain::role::Role;
    use mipstock::domain::token::Actor;
    use mipstock::service::record_movement::record_movement;

    let Command::CeilingSqlite {
        database,
        concurrency,
        seconds,
        location,
        item,
        patient,
    } = cli
    else {
        return;
    };
    let pool = DbPool::new(database, (*concurrency as u32).max(1), Duration::from_secs(30)).expect("pool");
    let tally = Tally::new();
    let deadline = Instant::now() + Duration::from_secs_f64(*seconds);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..*concurrency {
            let (pool, tally) = (pool.clone(), tally.clone());
            scope.spawn(move || {
                let actor = Actor {
                    token_id: None,
                    name: "bench".into(),
                    role: Role::Admin,
                };
                while Instant::now() < deadline {
                    let new = one_unit_dispense(*location, *patient, *item);
                    let begun = Instant::now();
                    let policy = bench_policy();
                    // Through the pool's SQLite write queue, as the server's writers go.
                    let ok = pool
                        .run_blocking(|conn| record_movement(conn, &actor, mipstock::clock::now(), policy, new))
                        .is_ok();
                    tally.record(begun, ok);
                }
            });
        }
    });
    println!("{}", tally.report("ceiling_sqlite", *concurrency, started.elapsed()));
}

/// One unit of `item` dispensed by FEFO at `location` to `patient`, now.
fn one_unit_dispense(location: i64, patient: i64, item: i64) -> mipstock::domain::ledger::NewMovement {
    use mipstock::domain::ids::{ItemId, LocationId, PatientId};
    use mipstock::domain::ledger::{DrawLine, MovementRequest, NewMovement};
    use mipstock::domain::quantity::Quantity;
    NewMovement {
        occurred_at: mipstock::clock::now(),
        reference: None,
        note: None,
        reason: None,
        procedure_code: None,
        request: MovementRequest::Dispense {
            location: LocationId(location),
            patient: PatientId(patient),
            lines: vec![DrawLine {
                item: ItemId(item),
                lot: None,
                quantity: Quantity::new(1).expect("1"),
                serial: None,
            }],
        },
    }
}

/// The policy of a default configuration.
fn bench_policy() -> mipstock::domain::policy::Policy {
    mipstock::domain::policy::Policy {
        backdate: mipstock::domain::time::BackdatePolicy { max_days: 7 },
        forecast: mipstock::domain::forecast::ForecastPolicy {
            review_days: 28,
            safety_days: 14,
        },
    }
}

/// CPU seconds this process has used (user + system).
fn cpu_seconds() -> f64 {
    cpu_seconds_of("self")
}

/// CPU seconds a process (`self` or a pid) has used, from /proc.
fn cpu_seconds_of(process: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<f64>().ok()).sum())
        .unwrap_or(0.0);
    // USER_HZ is 100 on Linux.
    ticks / 100.0
}

/// What evaluating `projected_stockout` costs inside a dispensation: `iterations` dispensations
/// of one unit (which evaluate it for their item), then `iterations` evaluations alone inside one
/// transaction, on one thread; CPU and wall time per operation.
fn alert_cost(cli: &Command) {
    use mipstock::db::DbPool;
    use mipstock::db::{write_tx, StorageError};
    use mipstock::domain::ids::ItemId;
    use mipstock::domain::role::Role;
    use mipstock::domain::token::Actor;
    use mipstock::service::evaluate_alerts::evaluate_projected_stockouts;
    use mipstock::service::record_movement::record_movement;

    let Command::AlertCost {
        database,
        iterations,
        location,
        item,
        patient,
    } = cli
    else {
        return;
    };
    let pool = DbPool::new(database, 1, Duration::from_secs(30)).expect("pool");
    let mut conn = pool.get().expect("connection");
    // On PostgreSQL the statements' CPU is spent in the backend serving this connection.
    let backend = match &mut *conn {
        mipstock::db::DbConnection::Pg(pg) => {
            use diesel::RunQueryDsl;
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()"))
                .get_result::<i32>(pg)
                .ok()
                .map(|pid| pid.to_string())
        }
        _ => None,
    };
    let db_cpu = || backend.as_deref().map(cpu_seconds_of).unwrap_or(0.0);
    let actor = Actor {
        token_id: None,
        name: "bench".into(),
        role: Role::Admin,
    };
    let policy = bench_policy();
    let n = (*iterations).max(1) as f64;
    let per_op = |cpu: f64, db: f64, wall: Instant| {
        (
            (cpu_seconds() - cpu) * 1000.0 / n,
            (db_cpu() - db) * 1000.0 / n,
            wall.elapsed().as_secs_f64() * 1000.0 / n,
        )
    };
    let (cpu, db, wall) = (cpu_seconds(), db_cpu(), Instant::now());
    for _ in 0..*iterations {
        let new = one_unit_dispense(*location, *patient, *item);
        record_movement(&mut conn, &actor, mipstock::clock::now(), policy, new).expect("dispense");
    }
    let (dispense_cpu, dispense_db_cpu, dispense_wall) = per_op(cpu, db, wall);
    // The evaluations alone, all inside one transaction as each runs inside its dispensation's.
    let items = [ItemId(*item)];
    let (cpu, db, wall) = (cpu_seconds(), db_cpu(), Instant::now());
    write_tx(&mut conn, |conn| {
        for _ in 0..*iterations {
            evaluate_projected_stockouts(conn, Some(&items), policy.forecast, mipstock::clock::now())?;
        }
        Ok::<(), StorageError>(())
    })
    .expect("evaluations");
    let (alert_cpu, alert_db_cpu, alert_wall) = per_op(cpu, db, wall);
    println!(
        "{}",
        json!({"scenario": "alert_cost", "iterations": iterations, "dispense_cpu_ms": dispense_cpu,
            "dispense_db_cpu_ms": dispense_db_cpu, "dispense_wall_ms": dispense_wall, "evaluation_cpu_ms": alert_cpu,
            "evaluation_db_cpu_ms": alert_db_cpu, "evaluation_wall_ms": alert_wall})
    );
}

/// Parses `codes` scanner strings on this thread and prints the rate.
fn gs1_throughput(codes: usize) {
    const SCANS: [&str; 9] = [
        "]d2010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4",
        "]d201034009585749001728020010G2405\u{1d}21100000000000000001",
        "]d2010340095857484921PX7K3M9Q2WTR\u{1d}1726110010AB12",
        "]d20109506000134352112403151729031410H24C0117",
        "]d2010950110153000321SN0042117\u{1d}17300930240CATH-IP-DEMO",
        "]d201034009585748491024-117/B\u{1d}17270430",
        "01034009585748491726123110X9Y8Z7",
        "]d2010340095857484910ABC17270531",
        "(01)03400958574849(17)270531(10)4F123A(21)8HK2Q9ZX7MR4",
    ];
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
    let started = Instant::now();
    let mut read = 0usize;
    for n in 0..codes {
        if mipstock::domain::gs1::parse(std::hint::black_box(SCANS[n % SCANS.len()]), today).is_ok() {
            read += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{codes} codes ({read} read) in {seconds:.2} s on one thread: {:.0} codes/s, {:.2} µs per code",
        codes as f64 / seconds,
        seconds * 1e6 / codes as f64
    );
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    match &cli.command {
        Command::Load { .. } => load(&cli.command).await,
        Command::CeilingSqlite { .. } => ceiling_sqlite(&cli.command),
        Command::AlertCost { .. } => alert_cost(&cli.command),
        Command::Gs1 { codes } => gs1_throughput(*codes),
        Command::SimulateSweep {
            seeds,
            patients,
            days,
            lead_time_days,
            delay_days_max,
            disruption_days,
            threads,
            forecast,
        } => print!(
            "{}",
            sweep::run(&sweep::Sweep {
                seeds: *seeds,
                patients: patients.clone(),
                days: *days,
                lead_time_days: *lead_time_days,
                delay_days_max: *delay_days_max,
                disruption_days: *disruption_days,
                threads: *threads,
                forecast: forecast
                    .iter()
                    .map(|f| {
                        let (review, safety) = f.split_once('/').expect("review_days/safety_days");
                        mipstock::domain::forecast::ForecastPolicy {
                            review_days: review.parse().expect("review days"),
                            safety_days: safety.parse().expect("safety days"),
                        }
                    })
                    .collect(),
            })
        ),
    }
}
