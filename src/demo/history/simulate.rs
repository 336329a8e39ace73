//! The simulated store, day by day: deliveries to a central store every two weeks, weekly
//! restocking of each site's ward, refills of every patient at their interval (FEFO), a few
//! returns, monthly disposal of expired stock. A balance is kept per (lot, location), so
//! nothing ever goes negative. Pure: no database.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::catalog::Named;
use crate::domain::ids::LotId;
use crate::domain::ledger::{plan_fefo, FefoCandidate, MovementKind, WasteReason};
use crate::domain::procedure::REFILL;
use crate::domain::quantity::Quantity;
use crate::domain::time::epoch;

use super::HistorySpec;

/// Item codes the history uses, in the order of `ITEM_*` indexes.
pub const CODES: [&str; 4] = ["INS-400-10ML", "MIP-FILL-KIT", "MIP-BUFFER", "MIP-NAOH"];
const INSULIN: usize = 0;
const FILL_KIT: usize = 1;
const BUFFER: usize = 2;
const NAOH: usize = 3;
/// (units per refill, in quarters; shelf life in days) per item.
const SUPPLY: [(i64, i64); 4] = [(8, 540), (4, 900), (4, 720), (1, 720)];
/// What a ward keeps per patient after its weekly restock.
const WARD_TARGET: [i64; 4] = [2, 1, 1, 1];

/// A simulated day as a date, for the ledger's FEFO rule (only the order of dates matters).
fn sim_date(day: i64) -> NaiveDate {
    epoch() + Duration::days(day)
}

#[derive(Clone, Copy)]
pub struct Stocked {
    pub item: usize,
    /// Day the lot was delivered.
    pub received: i64,
    /// Day (from the first simulated day) after which the lot is expired.
    pub expires: i64,
}

pub struct Line {
    pub item: usize,
    pub lot: i64,
    pub location: i64,
    pub delta: i64,
}

pub struct Move {
    pub kind: MovementKind,
    pub day: i64,
    pub minute: i64,
    pub location: i64,
    pub to_location: Option<i64>,
    pub patient: Option<i64>,
    pub reason: Option<&'static str>,
    /// The procedure a dispensation performs.
    pub procedure: Option<&'static str>,
    pub lines: Vec<Line>,
}

/// The simulated store: lots, balances, and the movements written so far.
pub struct Sim {
    pub lots: Vec<Stocked>,
    first_lot: i64,
    pub balance: HashMap<(i64, i64), i64>,
    /// Lots with stock per (item, location), for FEFO.
    holding: HashMap<(usize, i64), Vec<i64>>,
    pub moves: Vec<Move>,
    pub lines: u64,
}

impl Sim {
    pub fn lot(&self, lot: i64) -> Stocked {
        self.lots[(lot - self.first_lot) as usize]
    }

    fn add(&mut self, item: usize, lot: i64, location: i64, amount: i64) {
        let held = self.balance.entry((lot, location)).or_default();
        if *held == 0 {
            self.holding.entry((item, location)).or_default().push(lot);
        }
        *held += amount;
    }

    /// Takes `amount` by FEFO (the ledger's own rule) from lots usable on `day`; returns
    /// (lot, units) taken, or `None` when there is not enough.
    fn take_fefo(&mut self, item: usize, location: i64, amount: i64, day: i64) -> Option<Vec<(i64, i64)>> {
        let candidates: Vec<FefoCandidate> = self
            .holding
            .get(&(item, location))
            .into_iter()
            .flatten()
            .filter(|lot| self.lot(**lot).expires >= day)
            .map(|lot| FefoCandidate {
                lot: LotId(*lot),
                expires_on: sim_date(self.lot(*lot).expires),
                quantity: self.balance[&(*lot, location)],
            })
            .collect();
        let plan = plan_fefo(&candidates, Quantity::new(amount)?).ok()?;
        let taken: Vec<(i64, i64)> = plan.into_iter().map(|(lot, n)| (lot.0, n)).collect();
        for (lot, n) in &taken {
            self.remove(item, *lot, location, *n);
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

/// Ids the simulation writes under: one central store, one ward per site, then patients
/// and lots numbered from these.
pub struct Ids {
    pub central: i64,
    pub wards: Vec<i64>,
    pub first_patient: i64,
    pub first_lot: i64,
}

/// What the simulation produced.
pub struct Simulation {
    pub sim: Sim,
    /// Refill interval of each patient, in days.
    pub intervals: Vec<i64>,
    /// Next refill day of each patient.
    pub next_refill: Vec<i64>,
    /// Days simulated; the last one is yesterday.
    pub days: i64,
}

/// Simulates until at least `spec.lines` ledger lines exist.
pub fn simulate(spec: &HistorySpec, ids: &Ids) -> Simulation {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let sites = spec.sites.max(1) as i64;
    let patients = spec.patients.max(1) as i64;
    let (central, wards, first_patient, first_lot) = (ids.central, &ids.wards, ids.first_patient, ids.first_lot);
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
                    received: day,
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
                    procedure: None,
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
                        procedure: None,
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
            let bundle = vec![(FILL_KIT, 1), (BUFFER, 1), (INSULIN, 2)];
            // Every fourth refill is followed by a NaOH rinse, its own procedure.
            let rinse = refills[p] % 4 == 3;
            let needs: Vec<(usize, i64)> = bundle.iter().copied().chain(rinse.then_some((NAOH, 1))).collect();
            let enough = needs.iter().all(|(item, n)| {
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
                procedure: Some(REFILL),
                lines,
            });
            if rinse {
                let lines = sim
                    .take_fefo(NAOH, ward, 1, day)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(lot, taken)| Line {
                        item: NAOH,
                        lot,
                        location: ward,
                        delta: -taken,
                    })
                    .collect();
                sim.record(Move {
                    kind: MovementKind::Dispense,
                    day,
                    minute: 61 + p as i64 % 600,
                    location: ward,
                    to_location: None,
                    patient: Some(patient),
                    reason: None,
                    procedure: Some("naoh_rinse"),
                    lines,
                });
            }
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
                    procedure: None,
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
                    procedure: None,
                    lines,
                });
            }
        }
        day += 1;
    }

    Simulation {
        sim,
        intervals,
        next_refill,
        days: day,
    }
}
