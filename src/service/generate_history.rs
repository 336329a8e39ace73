//! `mipstock demo --lines N`: a large, realistic history for benchmarks, written in bulk.
//!
//! The history is simulated in memory — deliveries to a central store every two weeks,
//! weekly restocking of each site's ward, refills of every patient at their interval (FEFO),
//! rinses, a few returns, monthly disposal of expired stock — keeping a balance per (lot,
//! location) so nothing ever goes negative, then written with many rows per statement. The
//! population is fixed and the history grows with N, as years of ledger would.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::{ItemFilter, Named};
use crate::domain::ledger::{MovementKind, WasteReason};
use crate::domain::page::{PageRequest, MAX_LIMIT};
use crate::domain::token::Actor;
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::bulk::{analyze, insert_rows, max_id, resync_ids, text};

#[derive(Debug, thiserror::Error)]
pub enum GenerateHistoryError {
    #[error("the database already holds movements: generate into an empty one")]
    NotEmpty,
    #[error("the seeded catalog item {0} is missing")]
    MissingItem(&'static str),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(GenerateHistoryError);

#[derive(Debug, Clone)]
pub struct HistorySpec {
    /// Ledger lines to write (at least).
    pub lines: u64,
    pub patients: u32,
    pub sites: u32,
    pub seed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySummary {
    pub lines: u64,
    pub movements: u64,
    pub lots: u64,
    pub patients: u32,
    pub locations: u32,
    pub days: i64,
}

impl std::fmt::Display for HistorySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ledger lines in {} movements over {} days: {} lots, {} patients, {} locations",
            self.lines, self.movements, self.days, self.lots, self.patients, self.locations
        )
    }
}

#[derive(Clone, Copy)]
struct Stocked {
    item: usize,
    expires: i64,
}

struct Line {
    item: usize,
    lot: i64,
    location: i64,
    delta: i64,
}

struct Move {
    kind: MovementKind,
    day: i64,
    minute: i64,
    location: i64,
    to_location: Option<i64>,
    patient: Option<i64>,
    reason: Option<&'static str>,
    lines: Vec<Line>,
}

/// The simulated store: lots, balances, and the movements written so far.
struct Sim {
    lots: Vec<Stocked>,
    first_lot: i64,
    balance: HashMap<(i64, i64), i64>,
    /// Lots with stock per (item, location), for FEFO.
    holding: HashMap<(usize, i64), Vec<i64>>,
    moves: Vec<Move>,
    lines: u64,
}

impl Sim {
    fn lot(&self, lot: i64) -> Stocked {
        self.lots[(lot - self.first_lot) as usize]
    }

    fn add(&mut self, item: usize, lot: i64, location: i64, amount: i64) {
        let held = self.balance.entry((lot, location)).or_default();
        if *held == 0 {
            self.holding.entry((item, location)).or_default().push(lot);
        }
        *held += amount;
    }

    /// Takes up to `amount` by FEFO from lots usable on `day`; returns (lot, units) taken.
    fn take_fefo(&mut self, item: usize, location: i64, amount: i64, day: i64) -> Option<Vec<(i64, i64)>> {
        let mut lots = self.holding.get(&(item, location)).cloned().unwrap_or_default();
        lots.retain(|lot| self.lot(*lot).expires >= day);
        lots.sort_by_key(|lot| (self.lot(*lot).expires, *lot));
        let available: i64 = lots.iter().map(|lot| self.balance[&(*lot, location)]).sum();
        if available < amount {
            return None;
        }
        let mut left = amount;
        let mut taken = Vec::new();
        for lot in lots {
            if left == 0 {
                break;
            }
            let n = left.min(self.balance[&(lot, location)]);
            self.remove(item, lot, location, n);
            taken.push((lot, n));
            left -= n;
        }
        Some(taken)
    }

    fn remove(&mut self, item: usize, lot: i64, location: i64, amount: i64) {
        let held = self.balance.get_mut(&(lot, location)).expect("held");
        *held -= amount;
        if *held == 0 {
            if let Some(list) = self.holding.get_mut(&(item, location)) {
                list.retain(|l| *l != lot);
            }
        }
    }

    fn record(&mut self, movement: Move) {
        self.lines += movement.lines.len() as u64;
        self.moves.push(movement);
    }
}

fn stamp(start: NaiveDate, day: i64, minute: i64) -> String {
    let at: NaiveDateTime =
        (start + Duration::days(day)).and_hms_opt(7, 0, 0).unwrap_or_default() + Duration::minutes(minute);
    text(&at.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn date(start: NaiveDate, day: i64) -> String {
    text(&(start + Duration::days(day)).to_string())
}

fn opt(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into())
}

/// Item codes the history uses, in the order of `ITEM_*` indexes.
const CODES: [&str; 4] = ["INS-400-10ML", "MIP-FILL-KIT", "MIP-BUFFER", "MIP-NAOH"];
const INSULIN: usize = 0;
const FILL_KIT: usize = 1;
const BUFFER: usize = 2;
const NAOH: usize = 3;
/// (units per refill, in quarters; shelf life in days) per item.
const SUPPLY: [(i64, i64); 4] = [(8, 540), (4, 900), (4, 720), (1, 720)];
/// What a ward keeps per patient after its weekly restock.
const WARD_TARGET: [i64; 4] = [2, 1, 1, 1];

pub fn generate_history(
    conn: &mut DbConnection,
    spec: &HistorySpec,
    now: NaiveDateTime,
) -> Result<HistorySummary, GenerateHistoryError> {
    let today = now.date();
    write_tx(conn, |conn| {
        if !repo::movements::list(conn, &Default::default(), PageRequest { after: None, limit: 1 })?
            .items
            .is_empty()
        {
            return Err(GenerateHistoryError::NotEmpty);
        }
        let catalog = repo::items::list(
            conn,
            &ItemFilter::default(),
            PageRequest {
                after: None,
                limit: MAX_LIMIT,
            },
        )?;
        let mut items = [0i64; 4];
        for (slot, code) in items.iter_mut().zip(CODES) {
            *slot = catalog
                .items
                .iter()
                .find(|i| i.code == code)
                .map(|i| i.id.0)
                .ok_or(GenerateHistoryError::MissingItem(code))?;
        }
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let sites = spec.sites.max(1) as i64;
        let patients = spec.patients.max(1) as i64;

        // Locations: one central store, one ward per site.
        let first_location = max_id(conn, "locations")? + 1;
        let central = first_location;
        let wards: Vec<i64> = (1..=sites).map(|s| first_location + s).collect();
        let first_patient = max_id(conn, "patients")? + 1;
        let first_lot = max_id(conn, "lots")? + 1;
        let mut sim = Sim {
            lots: Vec::new(),
            first_lot,
            balance: HashMap::new(),
            holding: HashMap::new(),
            moves: Vec::new(),
            lines: 0,
        };
        let intervals: Vec<i64> = (0..patients).map(|_| rng.random_range(35..=45)).collect();
        let mut next_refill: Vec<i64> = intervals.iter().map(|i| rng.random_range(0..*i)).collect();
        let mut refills = vec![0u32; patients as usize];

        let mut day = 0i64;
        while sim.lines < spec.lines {
            if day % 14 == 0 {
                let mut lines = Vec::new();
                for (item, (quarters_per_refill, shelf)) in SUPPLY.iter().enumerate() {
                    // The pharmacy orders up to four weeks of refills (one every 40 days or so
                    // per patient): the central store neither runs dry nor piles up over years.
                    let target = (quarters_per_refill * patients * 28 / (40 * 4)).max(4);
                    let held: i64 = sim
                        .holding
                        .get(&(item, central))
                        .into_iter()
                        .flatten()
                        .map(|l| sim.balance[&(*l, central)])
                        .sum();
                    let quantity = target - held;
                    if quantity <= 0 {
                        continue;
                    }
                    let lot = first_lot + sim.lots.len() as i64;
                    sim.lots.push(Stocked {
                        item,
                        expires: day + shelf,
                    });
                    sim.add(item, lot, central, quantity);
                    lines.push(Line {
                        item,
                        lot,
                        location: central,
                        delta: quantity,
                    });
                }
                if !lines.is_empty() {
                    sim.record(Move {
                        kind: MovementKind::Receipt,
                        day,
                        minute: 0,
                        location: central,
                        to_location: None,
                        patient: None,
                        reason: None,
                        lines,
                    });
                }
            }
            if day % 7 == 0 {
                for (site, ward) in wards.iter().enumerate() {
                    let on_site = (patients / sites + i64::from((site as i64) < patients % sites)).max(1);
                    let mut lines = Vec::new();
                    for (item, per_patient) in WARD_TARGET.iter().enumerate() {
                        let held: i64 = sim
                            .holding
                            .get(&(item, *ward))
                            .into_iter()
                            .flatten()
                            .map(|lot| sim.balance[&(*lot, *ward)])
                            .sum();
                        let wanted = per_patient * on_site / 4 + 2 - held;
                        if wanted <= 0 {
                            continue;
                        }
                        if let Some(taken) = sim.take_fefo(item, central, wanted, day) {
                            for (lot, n) in taken {
                                sim.add(item, lot, *ward, n);
                                lines.push(Line {
                                    item,
                                    lot,
                                    location: central,
                                    delta: -n,
                                });
                                lines.push(Line {
                                    item,
                                    lot,
                                    location: *ward,
                                    delta: n,
                                });
                            }
                        }
                    }
                    if !lines.is_empty() {
                        sim.record(Move {
                            kind: MovementKind::Transfer,
                            day,
                            minute: 10 + site as i64,
                            location: central,
                            to_location: Some(*ward),
                            patient: None,
                            reason: None,
                            lines,
                        });
                    }
                }
            }
            for p in 0..patients as usize {
                if next_refill[p] != day {
                    continue;
                }
                let ward = wards[p % wards.len()];
                let mut bundle = vec![(FILL_KIT, 1), (BUFFER, 1), (INSULIN, 2)];
                if refills[p] % 4 == 3 {
                    bundle.push((NAOH, 1));
                }
                let enough = bundle.iter().all(|(item, n)| {
                    let lots = sim.holding.get(&(*item, ward)).cloned().unwrap_or_default();
                    lots.iter()
                        .filter(|l| sim.lot(**l).expires >= day)
                        .map(|l| sim.balance[&(*l, ward)])
                        .sum::<i64>()
                        >= *n
                });
                if !enough {
                    next_refill[p] = day + 1;
                    continue;
                }
                let mut lines = Vec::new();
                for (item, n) in bundle {
                    for (lot, taken) in sim.take_fefo(item, ward, n, day).unwrap_or_default() {
                        lines.push(Line {
                            item,
                            lot,
                            location: ward,
                            delta: -taken,
                        });
                    }
                }
                let insulin_lot = lines.iter().find(|l| l.item == INSULIN).map(|l| l.lot);
                let patient = first_patient + p as i64;
                sim.record(Move {
                    kind: MovementKind::Dispense,
                    day,
                    minute: 60 + p as i64 % 600,
                    location: ward,
                    to_location: None,
                    patient: Some(patient),
                    reason: None,
                    lines,
                });
                refills[p] += 1;
                next_refill[p] = day + intervals[p];
                // Now and then a vial comes back unopened.
                if let (Some(lot), true) = (insulin_lot, rng.random_ratio(1, 40)) {
                    sim.add(INSULIN, lot, ward, 1);
                    let lines = vec![Line {
                        item: INSULIN,
                        lot,
                        location: ward,
                        delta: 1,
                    }];
                    sim.record(Move {
                        kind: MovementKind::Return,
                        day,
                        minute: 700,
                        location: ward,
                        to_location: None,
                        patient: Some(patient),
                        reason: None,
                        lines,
                    });
                }
            }
            if day % 30 == 29 {
                // Expired stock leaves the shelves.
                let mut expired: BTreeMap<i64, Vec<Line>> = BTreeMap::new();
                for ((lot, location), held) in &sim.balance {
                    if *held > 0 && sim.lot(*lot).expires < day {
                        expired.entry(*location).or_default().push(Line {
                            item: sim.lot(*lot).item,
                            lot: *lot,
                            location: *location,
                            delta: -held,
                        });
                    }
                }
                for (location, lines) in expired {
                    for line in &lines {
                        sim.remove(line.item, line.lot, location, -line.delta);
                    }
                    sim.record(Move {
                        kind: MovementKind::Waste,
                        day,
                        minute: 720,
                        location,
                        to_location: None,
                        patient: None,
                        reason: Some(WasteReason::Expired.as_str()),
                        lines,
                    });
                }
            }
            day += 1;
        }

        // The last simulated day is yesterday.
        let start = today - Duration::days(day);
        let created = text(&now.format("%Y-%m-%d %H:%M:%S").to_string());
        let mut rows: Vec<String> = Vec::new();
        rows.push(format!(
            "({central}, 'BENCH-CENTRAL', 'Central pharmacy store (benchmark)', TRUE, {created}, {created})"
        ));
        for (s, ward) in wards.iter().enumerate() {
            rows.push(format!(
                "({ward}, {}, {}, TRUE, {created}, {created})",
                text(&format!("BENCH-WARD-{:03}", s + 1)),
                text(&format!("Ward fridge, site {}", s + 1))
            ));
        }
        insert_rows(
            conn,
            "locations",
            "id, code, name, active, created_at, updated_at",
            &rows,
        )?;
        let rows: Vec<String> = (0..patients)
            .map(|p| {
                let next = next_refill[p as usize];
                format!(
                    "({}, {}, 'active', {}, {}, NULL, {created}, {created})",
                    first_patient + p,
                    text(&format!("BENCH-{:05}", p + 1)),
                    intervals[p as usize],
                    date(start, next)
                )
            })
            .collect();
        insert_rows(
            conn,
            "patients",
            "id, reference, status, refill_interval_days, next_refill_on, notes, created_at, updated_at",
            &rows,
        )?;
        let rows: Vec<String> = sim
            .lots
            .iter()
            .enumerate()
            .map(|(n, lot)| {
                let id = first_lot + n as i64;
                format!(
                    "({id}, {}, {}, {}, 'available', NULL, {created}, {created})",
                    items[lot.item],
                    text(&format!("B{id:07}")),
                    date(start, lot.expires)
                )
            })
            .collect();
        insert_rows(
            conn,
            "lots",
            "id, item_id, lot_number, expires_on, status, status_reason, created_at, updated_at",
            &rows,
        )?;

        let first_movement = max_id(conn, "movements")? + 1;
        let first_line = max_id(conn, "movement_lines")? + 1;
        let (mut movement_rows, mut line_rows) = (Vec::new(), Vec::new());
        let mut line_id = first_line;
        for (n, m) in sim.moves.iter().enumerate() {
            let id = first_movement + n as i64;
            let at = stamp(start, m.day, m.minute);
            movement_rows.push(format!(
                "({id}, '{}', {at}, {at}, {}, {}, {}, {}, NULL, NULL, NULL, 'demo', 'admin', NULL, {})",
                m.kind.as_str(),
                m.location,
                opt(m.to_location),
                opt(m.patient),
                m.reason.map(text).unwrap_or_else(|| "NULL".into()),
                if m.kind == MovementKind::Dispense {
                    "'refill'"
                } else {
                    "NULL"
                }
            ));
            for (index, line) in m.lines.iter().enumerate() {
                line_rows.push(format!(
                    "({line_id}, {id}, {index}, {}, {}, {}, {}, NULL)",
                    items[line.item], line.lot, line.location, line.delta
                ));
                line_id += 1;
            }
            if movement_rows.len() >= 5000 {
                flush(conn, &mut movement_rows, &mut line_rows)?;
            }
        }
        flush(conn, &mut movement_rows, &mut line_rows)?;
        let rows: Vec<String> = sim
            .balance
            .iter()
            .map(|((lot, location), quantity)| {
                format!(
                    "({lot}, {location}, {}, {quantity}, {created})",
                    items[sim.lot(*lot).item]
                )
            })
            .collect();
        insert_rows(
            conn,
            "balances",
            "lot_id, location_id, item_id, quantity, updated_at",
            &rows,
        )?;
        resync_ids(conn, &["locations", "patients", "lots", "movements", "movement_lines"])?;
        analyze(conn)?;

        let summary = HistorySummary {
            lines: sim.lines,
            movements: sim.moves.len() as u64,
            lots: sim.lots.len() as u64,
            patients: patients as u32,
            locations: wards.len() as u32 + 1,
            days: day,
        };
        let actor = Actor {
            token_id: None,
            name: "demo".into(),
            role: crate::domain::role::Role::Admin,
        };
        let entry = AuditEntry {
            action: "demo.history",
            target_type: "ledger",
            target_id: "bulk".into(),
            summary: summary.to_string(),
        };
        audit::record(conn, &actor, now, entry)?;
        Ok(summary)
    })
}

fn flush(
    conn: &mut DbConnection,
    movements: &mut Vec<String>,
    lines: &mut Vec<String>,
) -> Result<(), GenerateHistoryError> {
    insert_rows(
        conn,
        "movements",
        "id, kind, occurred_at, recorded_at, location_id, to_location_id, patient_id, reason, reference, note, actor_token_id, actor_name, actor_role, reverses_movement_id, procedure_code",
        movements,
    )?;
    insert_rows(
        conn,
        "movement_lines",
        "id, movement_id, line_index, item_id, lot_id, location_id, delta, counted_quantity",
        lines,
    )?;
    movements.clear();
    lines.clear();
    Ok(())
}
