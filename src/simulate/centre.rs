//! One policy's run: a centre set up through the use-cases, then each simulated day — arrivals,
//! expired stock out, refills, rinses and catheter changes, departures, the policy's orders —
//! with that day as the clock.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::{DbConnection, DbPool};
use crate::domain::catalog::{ItemChanges, NewLocation};
use crate::domain::ids::{ItemId, LocationId, OrderLineId, PatientId, SupplierId};
use crate::domain::ledger::{LotLine, MovementRequest, NewMovement, ReceiptLine, WasteReason};
use crate::domain::patient::{NewPatient, PatientChanges, PatientStatus, RefillInterval};
use crate::domain::policy::Policy as Rules;
use crate::domain::quantity::Quantity;
use crate::domain::role::Role;
use crate::domain::stock::{figures, LotBalance};
use crate::domain::supply::{remaining, NewOrder, NewSupplier, Order};
use crate::domain::time::BackdatePolicy;
use crate::domain::token::Actor;
use crate::repo;
use crate::service::create_location::create_location;
use crate::service::create_patient::create_patient;
use crate::service::create_supplier::create_supplier;
use crate::service::order_suggestions::{order_suggestions, OrderSuggestionsError, SuggestedOrder};
use crate::service::perform_procedure::{perform_procedure, ProcedureRequest};
use crate::service::place_order::place_order;
use crate::service::record_movement::record_movement;
use crate::service::update_item::update_item;
use crate::service::update_patient::update_patient;

use super::events::{arrival, day_events, outage, patient};
use super::{Booking, DayRecord, Policy, PolicyReport, SimulationSpec};

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("the simulation's database: {0}")]
    Database(String),
    #[error("simulated day {day}: {step}")]
    Step { day: u32, step: String },
}

/// The first simulated day: fixed, so that a seed gives the same run whatever the date.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 4).unwrap_or_default()
}

/// How the simulated pharmacy buys each item: (code, pack size, shelf life in days).
const BUYING: [(&str, u32, u32); 5] = [
    ("INS-400-10ML", 10, 730),
    ("MIP-FILL-KIT", 10, 540),
    ("MIP-BUFFER", 12, 365),
    ("MIP-NAOH", 4, 365),
    ("MIP-CATH-STD", 1, 720),
];
const SANOFI_ITEM: &str = "INS-400-10ML";
/// Days of expected demand on the shelf on day 0.
const OPENING_DAYS: f64 = 60.0;
/// The static policy's safety stock, in days of expected demand, and its order cover.
const STATIC_SAFETY_DAYS: f64 = 14.0;
const STATIC_ORDER_DAYS: f64 = 56.0;

struct Item {
    id: ItemId,
    code: &'static str,
    pack: u32,
    shelf_life: u32,
    supplier: SupplierId,
    /// Expected units a day from the roster and the procedures' rates.
    daily: f64,
}

struct Delivery {
    arrives: u32,
    lines: Vec<(OrderLineId, ItemId, i64)>,
}

struct Centre<'a> {
    conn: &'a mut DbConnection,
    spec: &'a SimulationSpec,
    actor: Actor,
    rules: Rules,
    store: LocationId,
    items: Vec<Item>,
    suppliers: Vec<SupplierId>,
    patients: Vec<(PatientId, u32, Option<Booking>)>,
    deliveries: Vec<Delivery>,
    outage: Option<(u32, u32)>,
    report: PolicyReport,
    on_hand_sum: BTreeMap<&'static str, i64>,
    lots: u64,
    missed_today: u32,
}

fn at(day: u32, minutes: u32) -> NaiveDateTime {
    (first_day() + Duration::days(i64::from(day)))
        .and_hms_opt(8 + minutes / 60 % 10, minutes % 60, 0)
        .unwrap_or_default()
}

fn date(day: u32) -> NaiveDate {
    first_day() + Duration::days(i64::from(day))
}

fn packs(units: f64, pack: u32) -> i64 {
    let pack = f64::from(pack.max(1));
    ((units / pack).ceil().max(1.0) * pack) as i64
}

pub fn run(
    spec: &SimulationSpec,
    policy: Policy,
    progress: &mut impl FnMut(u32),
) -> Result<PolicyReport, SimulateError> {
    let dir = tempfile::tempdir().map_err(|e| SimulateError::Database(e.to_string()))?;
    let url = format!("sqlite://{}", dir.path().join("simulation.db").display());
    let pool = DbPool::new(&url, 1, std::time::Duration::from_secs(30)).map_err(SimulateError::Database)?;
    let mut conn = pool.get().map_err(|e| SimulateError::Database(e.to_string()))?;
    crate::db::migrations::run_pending(&mut conn).map_err(|e| SimulateError::Database(e.to_string()))?;
    let mut centre = Centre::open(&mut conn, spec, policy)?;
    for day in 0..spec.days {
        centre.live(day)?;
        progress(day);
    }
    Ok(centre.finish())
}

fn step(day: u32) -> impl Fn(&dyn std::fmt::Display) -> SimulateError {
    move |e| SimulateError::Step {
        day,
        step: e.to_string(),
    }
}

impl<'a> Centre<'a> {
    fn open(conn: &'a mut DbConnection, spec: &'a SimulationSpec, policy: Policy) -> Result<Centre<'a>, SimulateError> {
        let fail = step(0);
        let actor = Actor {
            token_id: None,
            name: "simulation".into(),
            role: Role::Admin,
        };
        let rules = Rules {
            backdate: BackdatePolicy { max_days: 0 },
            forecast: spec.forecast,
        };
        let now = at(0, 0);
        let store = create_location(
            conn,
            &actor,
            now,
            NewLocation {
                code: "CENTRE".into(),
                name: "Simulated MIP centre".into(),
                active: true,
            },
        )
        .map_err(|e| fail(&e))?
        .id;
        let mut suppliers = Vec::new();
        for (code, name) in [("MANUFACTURER", "Pump manufacturer"), ("SANOFI", "Sanofi")] {
            let new = NewSupplier {
                code: code.into(),
                name: name.into(),
                lead_time_days: spec.lead_time_days,
                email: None,
                active: true,
            };
            suppliers.push(create_supplier(conn, &actor, now, new).map_err(|e| fail(&e))?.id);
        }
        // Expected demand a day: refills every 40 days on average, rinses and catheter changes
        // at their yearly rates, each taking its procedure's lines.
        let mut daily: BTreeMap<ItemId, f64> = BTreeMap::new();
        for (procedure, per_patient_day) in [
            ("refill", 1.0 / 40.0),
            ("naoh_rinse", super::events::RINSES_PER_YEAR / 365.0),
            ("catheter_change", super::events::CATHETER_CHANGES_PER_YEAR / 365.0),
        ] {
            if let Some(found) = repo::procedures::find(conn, procedure).map_err(|e| fail(&e))? {
                for line in found.lines {
                    *daily.entry(line.item).or_default() +=
                        f64::from(spec.patients) * per_patient_day * f64::from(line.quantity.get());
                }
            }
        }
        let mut items = Vec::new();
        for (code, pack, shelf_life) in BUYING {
            let Some(id) = repo::items::id_by_code(conn, code).map_err(|e| fail(&e))? else {
                continue;
            };
            let supplier = if code == SANOFI_ITEM {
                suppliers[1]
            } else {
                suppliers[0]
            };
            let changes = ItemChanges {
                supplier_id: Some(Some(supplier)),
                pack_size: Some(pack),
                shelf_life_days: Some(Some(shelf_life)),
                ..ItemChanges::default()
            };
            update_item(conn, &actor, now, rules.forecast, id, changes).map_err(|e| fail(&e))?;
            items.push(Item {
                id,
                code,
                pack,
                shelf_life,
                supplier,
                daily: daily.get(&id).copied().unwrap_or(0.0),
            });
        }
        let mut centre = Centre {
            conn,
            spec,
            actor,
            rules,
            store,
            items,
            suppliers,
            patients: Vec::new(),
            deliveries: Vec::new(),
            outage: outage(spec.seed, spec.days, spec.disruption_days),
            report: PolicyReport {
                policy,
                refills_due: 0,
                refills_missed: 0,
                days_late: 0,
                procedures_missed: 0,
                mean_on_hand: BTreeMap::new(),
                units_expired: 0,
                orders: 0,
                days: Vec::new(),
            },
            on_hand_sum: BTreeMap::new(),
            lots: 0,
            missed_today: 0,
        };
        // The shelves open with two months of expected demand.
        let opening: Vec<(ItemId, i64)> = centre
            .items
            .iter()
            .map(|i| (i.id, packs(i.daily * OPENING_DAYS, i.pack)))
            .collect();
        centre.receive(
            0,
            opening.into_iter().map(|(item, units)| (None, item, units)).collect(),
        )?;
        for n in 0..spec.patients {
            let (interval, first) = patient(spec.seed, u64::from(n));
            let new = NewPatient {
                reference: format!("SIM-{:04}", n + 1),
                status: PatientStatus::Active,
                refill_interval: RefillInterval::new(i64::from(interval)).unwrap_or_default(),
                next_refill_on: Some(date(first)),
                notes: None,
            };
            let id = create_patient(centre.conn, &centre.actor, at(0, 1), rules.forecast, new)
                .map_err(|e| fail(&e))?
                .id;
            centre.patients.push((
                id,
                interval,
                Some(Booking {
                    due: first,
                    missed_since: None,
                }),
            ));
        }
        Ok(centre)
    }

    fn live(&mut self, day: u32) -> Result<(), SimulateError> {
        self.arrivals(day)?;
        self.waste_expired(day)?;
        self.refills(day)?;
        self.order(day)?;
        self.count(day)
    }

    fn arrivals(&mut self, day: u32) -> Result<(), SimulateError> {
        let (due, later): (Vec<Delivery>, Vec<Delivery>) = std::mem::take(&mut self.deliveries)
            .into_iter()
            .partition(|d| d.arrives <= day);
        self.deliveries = later;
        for delivery in due {
            let lines = delivery
                .lines
                .into_iter()
                .map(|(line, item, units)| (Some(line), item, units))
                .collect();
            self.receive(day, lines)?;
        }
        Ok(())
    }

    fn receive(&mut self, day: u32, lines: Vec<(Option<OrderLineId>, ItemId, i64)>) -> Result<(), SimulateError> {
        let mut receipt = Vec::new();
        for (order_line, item, units) in lines {
            let Some(shelf_life) = self.items.iter().find(|i| i.id == item).map(|i| i.shelf_life) else {
                continue;
            };
            let Some(quantity) = Quantity::new(units) else { continue };
            self.lots += 1;
            receipt.push(ReceiptLine {
                item,
                lot_number: format!("SIM{:06}", self.lots),
                expires_on: date(day) + Duration::days(i64::from(shelf_life)),
                quantity,
                serials: Vec::new(),
                order_line,
            });
        }
        if receipt.is_empty() {
            return Ok(());
        }
        self.record(
            day,
            2,
            MovementRequest::Receipt {
                location: self.store,
                lines: receipt,
            },
        )
    }

    fn record(&mut self, day: u32, minutes: u32, request: MovementRequest) -> Result<(), SimulateError> {
        let new = NewMovement {
            occurred_at: at(day, minutes),
            reference: None,
            note: None,
            reason: None,
            request,
            procedure_code: None,
        };
        record_movement(self.conn, &self.actor, at(day, minutes), self.rules, new).map_err(|e| step(day)(&e))?;
        Ok(())
    }

    /// Lots past their expiry leave the shelf as waste.
    fn waste_expired(&mut self, day: u32) -> Result<(), SimulateError> {
        let yesterday = date(day) - Duration::days(1);
        let expired = repo::balances::expiring_by(self.conn, yesterday).map_err(|e| step(day)(&e))?;
        let mut lines = Vec::new();
        for b in expired.iter().filter(|b| b.quantity > 0) {
            if let Some(quantity) = Quantity::new(b.quantity) {
                self.report.units_expired += b.quantity;
                lines.push(LotLine {
                    serial: None,
                    item: b.item_id,
                    lot: b.lot_id,
                    quantity,
                });
            }
        }
        if lines.is_empty() {
            return Ok(());
        }
        self.record(
            day,
            3,
            MovementRequest::Waste {
                location: self.store,
                reason: WasteReason::Expired,
                lines,
            },
        )
    }

    fn perform(&mut self, day: u32, minutes: u32, patient: PatientId, procedure: &str) -> bool {
        let request = ProcedureRequest {
            patient,
            procedure: procedure.to_owned(),
            location: self.store,
            occurred_at: at(day, minutes),
            overrides: Vec::new(),
            scanned: Vec::new(),
        };
        perform_procedure(self.conn, &self.actor, at(day, minutes), self.rules, request).is_ok()
    }

    fn refills(&mut self, day: u32) -> Result<(), SimulateError> {
        let events = day_events(self.spec.seed, day, self.patients.len());
        for (n, happens) in events.into_iter().enumerate() {
            let (patient, interval, booking) = self.patients[n];
            let Some(mut booking) = booking else { continue };
            let minutes = 10 + n as u32 % 400;
            if booking.due == day && booking.missed_since.is_none() {
                self.report.refills_due += 1;
            }
            if booking.due <= day {
                if self.perform(day, minutes, patient, "refill") {
                    self.report.days_late += u64::from(booking.served(day, interval));
                } else {
                    self.missed_today += 1;
                    if booking.missed(day) {
                        self.report.refills_missed += 1;
                    }
                }
            }
            for (wanted, procedure, minute) in [
                (happens.rinse, "naoh_rinse", 1),
                (happens.catheter_change, "catheter_change", 2),
            ] {
                if wanted && !self.perform(day, minutes + minute, patient, procedure) {
                    self.report.procedures_missed += 1;
                }
            }
            let mut kept = Some(booking);
            if happens.leaves {
                let changes = PatientChanges {
                    status: Some(PatientStatus::Transitioned),
                    next_refill_on: Some(None),
                    ..PatientChanges::default()
                };
                update_patient(
                    self.conn,
                    &self.actor,
                    at(day, minutes + 3),
                    self.rules.forecast,
                    patient,
                    changes,
                )
                .map_err(|e| step(day)(&e))?;
                kept = None;
            }
            self.patients[n].2 = kept;
        }
        Ok(())
    }

    fn order(&mut self, day: u32) -> Result<(), SimulateError> {
        let placed: Vec<Order> = match self.report.policy {
            Policy::Static => self.static_orders(day)?,
            Policy::Forecast if day.is_multiple_of(self.rules.forecast.review_days.max(1)) => {
                self.forecast_orders(day)?
            }
            Policy::Forecast => Vec::new(),
        };
        for (nth, order) in placed.into_iter().enumerate() {
            self.report.orders += 1;
            let arrives = arrival(
                self.spec.seed,
                day,
                nth as u64,
                self.spec.lead_time_days,
                self.spec.delay_days_max,
                self.outage,
            );
            self.deliveries.push(Delivery {
                arrives,
                lines: order.lines.iter().map(|l| (l.id, l.item_id, l.quantity)).collect(),
            });
        }
        Ok(())
    }

    /// The static rule: when available + on order falls to the reorder point — expected demand
    /// over the lead time and the worst delay, plus two weeks of safety stock — order eight
    /// weeks of expected demand, in whole packs.
    fn static_orders(&mut self, day: u32) -> Result<Vec<Order>, SimulateError> {
        let ids: Vec<ItemId> = self.items.iter().map(|i| i.id).collect();
        let balances = repo::balances::of_items(self.conn, &ids, None).map_err(|e| step(day)(&e))?;
        let pending = repo::orders::pending_lines(self.conn, Some(&ids)).map_err(|e| step(day)(&e))?;
        let mut by_supplier: BTreeMap<SupplierId, Vec<(ItemId, Quantity)>> = BTreeMap::new();
        for item in &self.items {
            let own: Vec<&LotBalance> = balances.iter().filter(|b| b.item_id == item.id).collect();
            let available = figures(&own, date(day), None).available;
            let on_order: i64 = pending
                .iter()
                .filter(|l| l.item_id == item.id)
                .map(|l| remaining(l.quantity, l.received_quantity))
                .sum();
            let cover = f64::from(self.spec.lead_time_days + self.spec.delay_days_max) + STATIC_SAFETY_DAYS;
            let reorder_point = (item.daily * cover).ceil() as i64;
            if item.daily > 0.0 && available + on_order <= reorder_point {
                let units = packs(item.daily * STATIC_ORDER_DAYS, item.pack);
                if let Some(quantity) = Quantity::new(units) {
                    by_supplier.entry(item.supplier).or_default().push((item.id, quantity));
                }
            }
        }
        let mut placed = Vec::new();
        for (supplier, lines) in by_supplier {
            let new = NewOrder {
                supplier_id: supplier,
                reference: None,
                ordered_on: Some(date(day)),
                expected_on: None,
                lines,
            };
            placed.push(
                place_order(self.conn, &self.actor, at(day, 500), self.rules.forecast, new)
                    .map_err(|e| step(day)(&e))?,
            );
        }
        Ok(placed)
    }

    fn forecast_orders(&mut self, day: u32) -> Result<Vec<Order>, SimulateError> {
        let mut placed = Vec::new();
        for supplier in self.suppliers.clone() {
            let request = SuggestedOrder {
                supplier_id: supplier,
                items: None,
                reference: None,
            };
            match order_suggestions(self.conn, &self.actor, at(day, 500), self.rules.forecast, request) {
                Ok(order) => placed.push(order),
                // Nothing to order today.
                Err(OrderSuggestionsError::Invalid(_)) => {}
                Err(e) => return Err(step(day)(&e)),
            }
        }
        Ok(placed)
    }

    /// Units on hand at the end of the day, per item.
    fn count(&mut self, day: u32) -> Result<(), SimulateError> {
        let ids: Vec<ItemId> = self.items.iter().map(|i| i.id).collect();
        let balances = repo::balances::of_items(self.conn, &ids, None).map_err(|e| step(day)(&e))?;
        let mut on_hand = BTreeMap::new();
        for item in &self.items {
            let units: i64 = balances
                .iter()
                .filter(|b| b.item_id == item.id)
                .map(|b| b.quantity)
                .sum();
            *self.on_hand_sum.entry(item.code).or_default() += units;
            on_hand.insert(item.code.to_owned(), units);
        }
        self.report.days.push(DayRecord {
            date: date(day),
            on_hand,
            missed: std::mem::take(&mut self.missed_today),
            in_outage: self.outage.is_some_and(|(start, end)| (start..end).contains(&day)),
        });
        Ok(())
    }

    fn finish(mut self) -> PolicyReport {
        let days = f64::from(self.spec.days.max(1));
        self.report.mean_on_hand = self
            .on_hand_sum
            .iter()
            .map(|(code, sum)| ((*code).to_owned(), (*sum as f64 / days * 10.0).round() / 10.0))
            .collect();
        self.report
    }
}
