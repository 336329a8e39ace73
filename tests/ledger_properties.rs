//! Property test at the service level: random sequences of movements, applied through the same
//! use-cases as the API, never leave a negative balance and always keep balances equal to the
//! ledger. A model of the expected stock predicts which movements must be refused.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use proptest::prelude::*;

use mipstock::db::{migrations, DbConnection, DbPool};
use mipstock::domain::catalog::NewLocation;
use mipstock::domain::forecast::ForecastPolicy;
use mipstock::domain::ids::{ItemId, LocationId, LotId, MovementId, PatientId};
use mipstock::domain::ledger::{CountLine, DrawLine, LotLine, MovementRequest, NewMovement, ReceiptLine, WasteReason};
use mipstock::domain::patient::{NewPatient, PatientStatus, RefillInterval};
use mipstock::domain::policy::Policy;
use mipstock::domain::quantity::{Counted, Quantity};
use mipstock::domain::role::Role;
use mipstock::domain::time::BackdatePolicy;

const FORECAST: ForecastPolicy = ForecastPolicy {
    review_days: 28,
    safety_days: 14,
};
use mipstock::domain::token::Actor;
use mipstock::service::create_location::create_location;
use mipstock::service::create_patient::create_patient;
use mipstock::service::record_movement::{record_movement, RecordMovementError};
use mipstock::service::reverse_movement::{reverse_movement, ReverseMovementError};
use mipstock::service::verify_ledger::verify_ledger;

const ITEM: ItemId = ItemId(2);
const LOTS: [&str; 3] = ["L0", "L1", "L2"];

#[derive(Debug, Clone)]
enum Op {
    Receive {
        lot: usize,
        location: usize,
        quantity: i64,
    },
    Dispense {
        location: usize,
        lot: Option<usize>,
        quantity: i64,
    },
    Transfer {
        from: usize,
        to: usize,
        lot: Option<usize>,
        quantity: i64,
    },
    Waste {
        location: usize,
        lot: usize,
        quantity: i64,
    },
    Count {
        location: usize,
        lot: usize,
        counted: i64,
    },
    Reverse {
        nth: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, 0..2usize, 1..8i64).prop_map(|(lot, location, quantity)| Op::Receive { lot, location, quantity }),
        3 => (0..2usize, proptest::option::of(0..3usize), 1..6i64).prop_map(|(location, lot, quantity)| Op::Dispense { location, lot, quantity }),
        2 => (0..2usize, proptest::option::of(0..3usize), 1..6i64).prop_map(|(from, lot, quantity)| Op::Transfer { from, to: 1 - from, lot, quantity }),
        1 => (0..2usize, 0..3usize, 1..4i64).prop_map(|(location, lot, quantity)| Op::Waste { location, lot, quantity }),
        1 => (0..2usize, 0..3usize, 0..6i64).prop_map(|(location, lot, counted)| Op::Count { location, lot, counted }),
        1 => (0..50usize).prop_map(|nth| Op::Reverse { nth }),
    ]
}

struct World {
    conn: mipstock::db::PooledConnection,
    _dir: tempfile::TempDir,
    actor: Actor,
    locations: [LocationId; 2],
    patient: PatientId,
    lots: HashMap<usize, LotId>,
    movements: Vec<MovementId>,
    /// What each (lot, location) must hold, from the deltas of accepted movements.
    model: HashMap<(LotId, LocationId), i64>,
}

fn expiry(lot: usize) -> NaiveDate {
    Utc::now().date_naive() + chrono::Duration::days(30 * (lot as i64 + 1))
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    let pool = DbPool::new(&url, 1, Duration::from_secs(5)).unwrap();
    let mut conn = pool.get().unwrap();
    migrations::run_pending(&mut conn).unwrap();
    let actor = Actor {
        token_id: None,
        name: "proptest".into(),
        role: Role::Admin,
    };
    let location = |code: &str, conn: &mut DbConnection| {
        create_location(
            conn,
            &actor,
            now(),
            NewLocation {
                code: code.into(),
                name: code.into(),
                active: true,
            },
        )
        .unwrap()
        .id
    };
    let locations = [location("A", &mut conn), location("B", &mut conn)];
    let patient = create_patient(
        &mut conn,
        &actor,
        now(),
        FORECAST,
        NewPatient {
            reference: "P".into(),
            status: PatientStatus::Active,
            refill_interval: RefillInterval::default(),
            next_refill_on: None,
            notes: None,
        },
    )
    .unwrap()
    .id;
    World {
        conn,
        _dir: dir,
        actor,
        locations,
        patient,
        lots: HashMap::new(),
        movements: Vec::new(),
        model: HashMap::new(),
    }
}

fn now() -> chrono::NaiveDateTime {
    mipstock::domain::time::stamp(chrono::Utc::now())
}

impl World {
    fn held(&self, lot: LotId, location: LocationId) -> i64 {
        self.model.get(&(lot, location)).copied().unwrap_or(0)
    }

    fn usable_at(&self, location: LocationId) -> i64 {
        self.lots.values().map(|lot| self.held(*lot, location)).sum()
    }

    fn movement(&self, request: MovementRequest) -> NewMovement {
        NewMovement {
            occurred_at: now(),
            reference: None,
            note: None,
            reason: None,
            request,
            procedure_code: None,
        }
    }

    fn apply(&mut self, op: &Op) {
        let q = |n: i64| Quantity::new(n).unwrap();
        let draw = |lot: Option<usize>, lots: &HashMap<usize, LotId>, quantity: i64| DrawLine {
            item: ITEM,
            lot: lot.and_then(|l| lots.get(&l).copied()),
            quantity: q(quantity),
            serial: None,
        };
        // What the model says must happen: Some(true) accepted, Some(false) refused.
        let (request, expect_accepted) = match op.clone() {
            Op::Receive {
                lot,
                location,
                quantity,
            } => (
                MovementRequest::Receipt {
                    location: self.locations[location],
                    lines: vec![ReceiptLine {
                        item: ITEM,
                        lot_number: LOTS[lot].into(),
                        expires_on: expiry(lot),
                        quantity: q(quantity),
                        serials: vec![],
                        order_line: None,
                    }],
                },
                Some(true),
            ),
            Op::Dispense {
                location,
                lot,
                quantity,
            } => {
                let line = draw(lot, &self.lots, quantity);
                let have = match line.lot {
                    Some(l) => self.held(l, self.locations[location]),
                    None => self.usable_at(self.locations[location]),
                };
                (
                    MovementRequest::Dispense {
                        location: self.locations[location],
                        patient: self.patient,
                        lines: vec![line],
                    },
                    Some(have >= quantity),
                )
            }
            Op::Transfer {
                from,
                to,
                lot,
                quantity,
            } => {
                let line = draw(lot, &self.lots, quantity);
                let have = match line.lot {
                    Some(l) => self.held(l, self.locations[from]),
                    None => self.usable_at(self.locations[from]),
                };
                (
                    MovementRequest::Transfer {
                        from: self.locations[from],
                        to: self.locations[to],
                        lines: vec![line],
                    },
                    Some(have >= quantity),
                )
            }
            Op::Waste {
                location,
                lot,
                quantity,
            } => {
                let Some(lot) = self.lots.get(&lot).copied() else {
                    return;
                };
                let have = self.held(lot, self.locations[location]);
                (
                    MovementRequest::Waste {
                        location: self.locations[location],
                        reason: WasteReason::Damaged,
                        lines: vec![LotLine {
                            item: ITEM,
                            lot,
                            quantity: q(quantity),
                            serial: None,
                        }],
                    },
                    Some(have >= quantity),
                )
            }
            Op::Count { location, lot, counted } => {
                let Some(lot) = self.lots.get(&lot).copied() else {
                    return;
                };
                let counted = Counted::parse("c", counted).unwrap();
                (
                    MovementRequest::Count {
                        location: self.locations[location],
                        lines: vec![CountLine {
                            item: ITEM,
                            lot,
                            counted,
                        }],
                    },
                    Some(true),
                )
            }
            Op::Reverse { nth } => {
                if self.movements.is_empty() {
                    return;
                }
                let id = self.movements[nth % self.movements.len()];
                match reverse_movement(&mut self.conn, &self.actor, now(), FORECAST, id) {
                    Ok(reversal) => self.accept(&reversal),
                    Err(
                        ReverseMovementError::AlreadyReversed { .. }
                        | ReverseMovementError::NotReversible(_)
                        | ReverseMovementError::InsufficientStock(_)
                        | ReverseMovementError::NoLongerHeld { .. },
                    ) => {}
                    Err(other) => panic!("reversal failed: {other}"),
                }
                return;
            }
        };
        let new = self.movement(request);
        match record_movement(
            &mut self.conn,
            &self.actor,
            now(),
            Policy {
                backdate: BackdatePolicy { max_days: 7 },
                forecast: FORECAST,
            },
            new,
        ) {
            Ok(movement) => {
                assert_ne!(expect_accepted, Some(false), "accepted what the model refuses: {op:?}");
                for line in &movement.lines {
                    if let Some(index) = LOTS.iter().position(|n| *n == line.lot_number) {
                        self.lots.insert(index, line.lot_id);
                    }
                }
                self.movements.push(movement.id);
                self.accept(&movement);
            }
            Err(RecordMovementError::InsufficientStock(_)) => {
                assert_ne!(expect_accepted, Some(true), "refused what the model accepts: {op:?}");
            }
            Err(other) => panic!("unexpected refusal of {op:?}: {other}"),
        }
    }

    fn accept(&mut self, movement: &mipstock::domain::ledger::Movement) {
        for line in &movement.lines {
            *self.model.entry((line.lot_id, line.location_id)).or_default() += line.delta;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_movements_keep_every_invariant(ops in proptest::collection::vec(op(), 1..30)) {
        let mut world = world();
        for op in &ops {
            world.apply(op);
            for ((lot, location), held) in &world.model {
                prop_assert!(*held >= 0, "lot {lot} at {location} would hold {held}");
            }
        }
        let report = verify_ledger(&mut world.conn).unwrap();
        prop_assert!(report.is_clean(), "{:?}", report.problems);
        for ((lot, location), held) in &world.model {
            let stored = mipstock::repo::balances::quantity(&mut world.conn, *lot, *location).unwrap();
            prop_assert_eq!(stored, *held);
        }
    }
}
