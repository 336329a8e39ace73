//! `serve --demo`: a plausible MIP centre with a year of history, written through the same
//! use-cases as the API (never by writing tables directly), in one transaction.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::alert::NewThreshold;
use crate::domain::catalog::ItemChanges;
use crate::domain::catalog::NewLocation;
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, OrderLineId, PatientId, SupplierId};
use crate::domain::ledger::{CountLine, DrawLine, LotLine, MovementRequest, NewMovement, ReceiptLine, WasteReason};
use crate::domain::page::PageRequest;
use crate::domain::patient::{NewPatient, PatientChanges, PatientStatus, RefillInterval};
use crate::domain::policy::Policy;
use crate::domain::quantity::{Counted, Quantity};
use crate::domain::role::Role;
use crate::domain::supply::{NewOrder, NewSupplier};
use crate::domain::time::BackdatePolicy;
use crate::domain::token::Actor;
use crate::repo;

use crate::domain::cold_chain::{Decision, Excursion, NewExcursion};
use crate::domain::user::{NewUser, Password};
use crate::service::create_location::create_location;
use crate::service::create_patient::create_patient;
use crate::service::create_supplier::create_supplier;
use crate::service::create_user::create_user;
use crate::service::decide_excursion::{decide_excursion, HoldDecision};
use crate::service::perform_procedure::{perform_procedure, ProcedureRequest};
use crate::service::place_order::place_order;
use crate::service::record_excursion::record_excursion;
use crate::service::record_movement::record_movement;
use crate::service::reverse_movement::reverse_movement;
use crate::service::set_threshold::set_threshold;
use crate::service::update_item::update_item;
use crate::service::update_patient::update_patient;

#[derive(Debug, thiserror::Error)]
pub enum LoadDemoError {
    #[error("the database already holds movements: --demo only fills a database without any")]
    NotEmpty,
    #[error("the seeded catalog item {0} is missing")]
    MissingItem(&'static str),
    #[error("demo step failed: {0}")]
    Step(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
crate::db::storage_errors!(LoadDemoError);

fn step(error: impl std::fmt::Display) -> LoadDemoError {
    LoadDemoError::Step(error.to_string())
}

const ACTIVE_PATIENTS: usize = 32;
const TRANSITIONED_PATIENTS: usize = 4;

/// What the demo wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub locations: usize,
    pub patients: usize,
    pub movements: usize,
    pub refills: usize,
    pub thresholds: usize,
    pub orders: usize,
    pub excursions: usize,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} locations, {} patients, {} movements ({} refills), {} purchase orders and {} cold-chain excursions over the last year, {} reorder thresholds",
            self.locations, self.patients, self.movements, self.refills, self.orders, self.excursions, self.thresholds
        )
    }
}

struct Catalog {
    insulin: ItemId,
    fill_kit: ItemId,
    naoh: ItemId,
    buffer: ItemId,
    catheter: ItemId,
    long_catheter: ItemId,
}

struct Demo<'a> {
    conn: &'a mut DbConnection,
    actor: Actor,
    /// When the demo is loaded; each movement is recorded at its own simulated moment.
    now: NaiveDateTime,
    rng: StdRng,
    store: LocationId,
    fridge: LocationId,
    items: Catalog,
    summary: DemoSummary,
    delivery: u32,
    policy: Policy,
    /// Order lines placed for the next delivery, by item.
    on_order: Vec<(ItemId, OrderLineId)>,
}

/// The two real supply lines: the pump's manufacturer for kits, catheters, NaOH and buffer;
/// Sanofi for Insuman Implantable.
const MANUFACTURER_LEAD_DAYS: i64 = 21;
const SANOFI_LEAD_DAYS: i64 = 14;

fn at(day: NaiveDate, minutes: u32) -> NaiveDateTime {
    day.and_hms_opt(8 + minutes / 60 % 10, minutes % 60, 0)
        .unwrap_or_default()
}

fn units(n: i64) -> Quantity {
    Quantity::new(n).unwrap_or(Quantity::new(1).expect("1 is a quantity"))
}

impl Demo<'_> {
    fn record(&mut self, occurred_at: NaiveDateTime, request: MovementRequest) -> Option<MovementId> {
        let new = NewMovement {
            occurred_at,
            reference: None,
            note: None,
            reason: None,
            request,
            procedure_code: None,
        };
        // A step the stock cannot serve is skipped, as a pharmacy would postpone it.
        let id = record_movement(self.conn, &self.actor, occurred_at, self.policy, new)
            .ok()
            .map(|m| m.id);
        self.summary.movements += usize::from(id.is_some());
        id
    }

    fn receive(&mut self, day: NaiveDate, lines: Vec<(ItemId, &str, i64, i64)>) {
        self.delivery += 1;
        let lines = lines
            .into_iter()
            .map(|(item, prefix, shelf_days, quantity)| ReceiptLine {
                item,
                lot_number: format!("{prefix}{:02}{:03}", day.year() % 100, self.delivery),
                expires_on: day + Duration::days(shelf_days),
                quantity: units(quantity),
                serials: Vec::new(),
                order_line: self
                    .on_order
                    .iter()
                    .position(|(ordered, _)| *ordered == item)
                    .map(|i| self.on_order.remove(i).1),
            })
            .collect();
        self.record(
            at(day, 30),
            MovementRequest::Receipt {
                location: self.store,
                lines,
            },
        );
    }

    /// What each delivery brings: (item, lot prefix, shelf life in days, units).
    fn delivery_lines(&self) -> Vec<(ItemId, &'static str, i64, i64)> {
        let items = &self.items;
        vec![
            (items.insulin, "INS", 300, 110),
            (items.fill_kit, "FK", 540, 55),
            (items.buffer, "BUF", 365, 60),
            (items.naoh, "NAOH", 365, 12),
            (items.catheter, "CS", 720, 4),
        ]
    }

    /// The delivery's (item, units) of the items `from` keeps: what an order asks for.
    fn ordered_lines(&self, from: impl Fn(ItemId) -> bool) -> Vec<(ItemId, i64)> {
        self.delivery_lines()
            .into_iter()
            .filter(|(item, ..)| from(*item))
            .map(|(item, _, _, units)| (item, units))
            .collect()
    }

    /// Places an order on `day` for the lines, expected `lead_days` later; returns its lines.
    fn order(
        &mut self,
        supplier: SupplierId,
        day: NaiveDate,
        lead_days: i64,
        lines: Vec<(ItemId, i64)>,
    ) -> Result<Vec<(ItemId, OrderLineId)>, LoadDemoError> {
        let new = NewOrder {
            supplier_id: supplier,
            reference: Some(format!("PO-{}{:03}", day.year() % 100, self.summary.orders + 1)),
            ordered_on: Some(day),
            expected_on: Some(day + Duration::days(lead_days)),
            lines: lines
                .into_iter()
                .map(|(item, quantity)| (item, units(quantity)))
                .collect(),
        };
        let order = place_order(self.conn, &self.actor, at(day, 5), self.policy.forecast, new).map_err(step)?;
        self.summary.orders += 1;
        Ok(order.lines.iter().map(|l| (l.item_id, l.id)).collect())
    }

    fn restock_fridge(&mut self, day: NaiveDate, with_catheter: bool) {
        let items = &self.items;
        let mut lines = vec![
            DrawLine {
                serial: None,
                item: items.insulin,
                lot: None,
                quantity: units(16),
            },
            DrawLine {
                serial: None,
                item: items.fill_kit,
                lot: None,
                quantity: units(8),
            },
            DrawLine {
                serial: None,
                item: items.buffer,
                lot: None,
                quantity: units(9),
            },
            DrawLine {
                serial: None,
                item: items.naoh,
                lot: None,
                quantity: units(2),
            },
        ];
        if with_catheter {
            lines.push(DrawLine {
                serial: None,
                item: items.catheter,
                lot: None,
                quantity: units(1),
            });
        }
        for line in lines {
            let request = MovementRequest::Transfer {
                from: self.store,
                to: self.fridge,
                lines: vec![line],
            };
            self.record(at(day, 15), request);
        }
    }

    fn perform(&mut self, patient: PatientId, procedure: &str, day: NaiveDate, minutes: u32) -> Option<MovementId> {
        let request = ProcedureRequest {
            patient,
            procedure: procedure.to_owned(),
            location: self.fridge,
            occurred_at: at(day, minutes),
            overrides: Vec::new(),
            scanned: Vec::new(),
        };
        let id = perform_procedure(self.conn, &self.actor, at(day, minutes), self.policy, request)
            .ok()
            .map(|m| m.id);
        self.summary.movements += usize::from(id.is_some());
        id
    }
}

fn catalog(conn: &mut DbConnection) -> Result<Catalog, LoadDemoError> {
    let mut find = |code: &'static str| -> Result<ItemId, LoadDemoError> {
        repo::items::id_by_code(conn, code)?.ok_or(LoadDemoError::MissingItem(code))
    };
    Ok(Catalog {
        insulin: find("INS-400-10ML")?,
        fill_kit: find("MIP-FILL-KIT")?,
        naoh: find("MIP-NAOH")?,
        buffer: find("MIP-BUFFER")?,
        catheter: find("MIP-CATH-STD")?,
        long_catheter: find("MIP-CATH-LONG")?,
    })
}

fn location(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    code: &str,
    name: &str,
) -> Result<LocationId, LoadDemoError> {
    if let Some(found) = repo::locations::id_by_code(conn, code)? {
        return Ok(found);
    }
    let new = NewLocation {
        code: code.into(),
        name: name.into(),
        active: true,
    };
    Ok(create_location(conn, actor, now, new).map_err(step)?.id)
}

/// Fills a database that holds no movement with a year of a MIP centre's life ending `today`.
pub fn load_demo(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
) -> Result<DemoSummary, LoadDemoError> {
    let today = now.date();
    write_tx(conn, |conn| {
        let page = PageRequest { after: None, limit: 1 };
        if !repo::movements::list(conn, &Default::default(), page)?.items.is_empty() {
            return Err(LoadDemoError::NotEmpty);
        }
        let actor = Actor {
            token_id: None,
            name: "demo".into(),
            role: Role::Admin,
        };
        let store = location(conn, &actor, now, "CENTRAL", "Pharmacie centrale")?;
        let fridge = location(
            conn,
            &actor,
            now,
            "WARD-FRIDGE",
            "Réfrigérateur du service de diabétologie",
        )?;
        let items = catalog(conn)?;
        let mut demo = Demo {
            conn,
            actor,
            now,
            rng: StdRng::seed_from_u64(2007),
            store,
            fridge,
            items,
            summary: DemoSummary {
                locations: 2,
                ..DemoSummary::default()
            },
            delivery: 0,
            policy: Policy {
                backdate: BackdatePolicy { max_days: 0 },
                forecast,
            },
            on_order: Vec::new(),
        };
        let (manufacturer, sanofi) = suppliers(&mut demo)?;
        let start = today - Duration::days(364);
        // The year opens with a delivery on the shelves, before the roster books any refill.
        let opening = demo.delivery_lines();
        demo.receive(start, opening);

        // Patients with staggered refill days; the last few move to another therapy mid-year.
        let mut patients: Vec<(PatientId, NaiveDate, Option<NaiveDate>)> = Vec::new();
        for n in 0..ACTIVE_PATIENTS + TRANSITIONED_PATIENTS {
            let interval = RefillInterval::new(demo.rng.random_range(35..=45)).unwrap_or_default();
            let first_refill = start + Duration::days(demo.rng.random_range(0..i64::from(interval.days())));
            let new = NewPatient {
                reference: format!("MIP-{:03}", n + 1),
                status: PatientStatus::Active,
                refill_interval: interval,
                next_refill_on: Some(first_refill),
                notes: None,
            };
            let patient = create_patient(demo.conn, &demo.actor, at(start, 31), forecast, new).map_err(step)?;
            let leaves = (n >= ACTIVE_PATIENTS).then(|| start + Duration::days(demo.rng.random_range(120..300)));
            patients.push((patient.id, first_refill, leaves));
        }
        demo.summary.patients = patients.len();

        // A long-catheter lot that nobody needed and that has since expired.
        let old = start + Duration::days(10);
        demo.receive(old, vec![(demo.items.long_catheter, "CL", 300, 3)]);

        let mut next_refill: Vec<Option<NaiveDate>> = patients.iter().map(|(_, first, _)| Some(*first)).collect();
        let mut refills_done = vec![0u32; patients.len()];
        let mut mistaken: Option<MovementId> = None;
        let mut day = start;
        while day <= today {
            let offset = (day - start).num_days();
            // Each delivery is ordered its supplier's lead time before it lands.
            if (offset + MANUFACTURER_LEAD_DAYS) % 56 == 0 && offset + MANUFACTURER_LEAD_DAYS <= 364 {
                let insulin = demo.items.insulin;
                let lines = demo.ordered_lines(|item| item != insulin);
                let placed = demo.order(manufacturer, day, MANUFACTURER_LEAD_DAYS, lines)?;
                demo.on_order.extend(placed);
            }
            if (offset + SANOFI_LEAD_DAYS) % 56 == 0 && offset + SANOFI_LEAD_DAYS <= 364 {
                let insulin = demo.items.insulin;
                let lines = demo.ordered_lines(|item| item == insulin);
                let placed = demo.order(sanofi, day, SANOFI_LEAD_DAYS, lines)?;
                demo.on_order.extend(placed);
            }
            if offset % 56 == 0 && offset > 0 {
                let lines = demo.delivery_lines();
                demo.receive(day, lines);
            }
            if offset % 7 == 0 {
                demo.restock_fridge(day, offset % 28 == 0);
            }
            for (i, (patient, _, leaves)) in patients.iter().enumerate() {
                if leaves.is_some_and(|left| day >= left) {
                    if next_refill[i].take().is_some() {
                        let changes = PatientChanges {
                            status: Some(PatientStatus::Transitioned),
                            next_refill_on: Some(None),
                            ..PatientChanges::default()
                        };
                        update_patient(demo.conn, &demo.actor, at(day, 0), forecast, *patient, changes)
                            .map_err(step)?;
                    }
                    continue;
                }
                if next_refill[i] != Some(day) {
                    continue;
                }
                let minutes = (i as u32) * 7;
                if demo.perform(*patient, "refill", day, minutes).is_none() {
                    // Short on the ward today: the patient comes back tomorrow.
                    next_refill[i] = Some(day + Duration::days(1));
                    continue;
                }
                demo.summary.refills += 1;
                refills_done[i] += 1;
                if refills_done[i].is_multiple_of(4) {
                    demo.perform(*patient, "naoh_rinse", day, minutes + 1);
                }
                if demo.rng.random_ratio(1, 30) {
                    demo.perform(*patient, "catheter_change", day, minutes + 2);
                }
                next_refill[i] = repo::patients::find(demo.conn, *patient)?.and_then(|p| p.next_refill_on);
            }
            // Now and then a vial comes back unused, a kit is damaged, the fridge is counted.
            if offset % 45 == 20 {
                let (patient, _, _) = patients[demo.rng.random_range(0..ACTIVE_PATIENTS)];
                return_a_vial(&mut demo, patient, day)?;
            }
            if offset == 150 {
                damage_a_kit(&mut demo, day)?;
            }
            if offset == 120 {
                // The ward fridge's door was left open one night; the pharmacist released
                // everything the next morning (stability data: fine at 11 °C for 6 hours).
                let excursion = fridge_got_warm(&mut demo, day, 11.0)?;
                for hold in &excursion.held {
                    let decision = HoldDecision {
                        lot: hold.lot_id,
                        decision: Decision::Release,
                        note: Some("stability data: fine below 25 °C for 6 hours".into()),
                    };
                    let when = at(day, 9 * 60);
                    decide_excursion(demo.conn, &demo.actor, when, demo.policy, excursion.id, decision)
                        .map_err(step)?;
                }
            }
            if offset % 30 == 29 {
                count_insulin(&mut demo, day)?;
            }
            if offset == 200 && mistaken.is_none() {
                let (patient, _, _) = patients[0];
                let request = MovementRequest::Dispense {
                    location: demo.fridge,
                    patient,
                    lines: vec![DrawLine {
                        serial: None,
                        item: demo.items.catheter,
                        lot: None,
                        quantity: units(1),
                    }],
                };
                mistaken = demo.record(at(day, 300), request);
                if let Some(id) = mistaken {
                    // Recorded for the wrong patient, corrected by a reversal.
                    reverse_movement(demo.conn, &demo.actor, at(day, 301), forecast, id).map_err(step)?;
                    demo.summary.movements += 1;
                }
            }
            day += Duration::days(1);
        }
        // A delivery last week with a lot that expires soon.
        let items = &demo.items;
        demo.receive(
            today - Duration::days(6),
            vec![(items.insulin, "INS-S", 25, 12), (items.buffer, "BUF-S", 40, 10)],
        );
        // In flight today: insulin due next week, and kits and buffer that should have landed
        // nine days ago.
        demo.order(
            sanofi,
            today - Duration::days(5),
            SANOFI_LEAD_DAYS,
            vec![(demo.items.insulin, 100)],
        )?;
        let late = vec![(demo.items.fill_kit, 50), (demo.items.buffer, 50)];
        demo.order(manufacturer, today - Duration::days(30), MANUFACTURER_LEAD_DAYS, late)?;
        // Last night the ward fridge reached 13.5 °C: its insulin waits for a pharmacist.
        fridge_got_warm(&mut demo, today - Duration::days(1), 13.5)?;
        // A pharmacist to sign in to the web app with (the password is printed by serve --demo).
        let pharmacist = NewUser {
            username: DEMO_USERNAME.into(),
            display_name: "Claire Martin (démo)".into(),
            role: Role::Pharmacist,
            password: Password::new("password", DEMO_PASSWORD).map_err(|e| step(e.message))?,
        };
        create_user(demo.conn, &demo.actor, demo.now, pharmacist).map_err(step)?;
        // Thresholds last, so alerts reflect today rather than a year of past crossings.
        let items = &demo.items;
        let thresholds = [
            (items.insulin, None, 150, 120, Some(21)),
            (items.insulin, Some(demo.fridge), 20, 16, None),
            (items.fill_kit, None, 40, 60, Some(30)),
            (items.buffer, None, 40, 72, Some(30)),
            (items.naoh, None, 10, 16, Some(30)),
            (items.catheter, None, 4, 4, Some(60)),
            (items.long_catheter, None, 2, 2, Some(60)),
        ];
        for (item_id, location_id, reorder_point, reorder_quantity, lead_time_days) in thresholds {
            let new = NewThreshold {
                item_id,
                location_id,
                reorder_point,
                reorder_quantity,
                lead_time_days,
            };
            set_threshold(demo.conn, &demo.actor, demo.now, forecast, new).map_err(step)?;
            demo.summary.thresholds += 1;
        }
        Ok(demo.summary)
    })
}

/// The demo's pharmacist, for the web app.
pub const DEMO_USERNAME: &str = "pharmacienne";
pub const DEMO_PASSWORD: &str = "demo-pharmacie-2026";

/// The ward fridge was out of 2–8 °C from 1:00 to 5:00 the night before `morning`, up to `max_c`.
fn fridge_got_warm(demo: &mut Demo<'_>, morning: NaiveDate, max_c: f64) -> Result<Excursion, LoadDemoError> {
    let new = NewExcursion::parse(
        demo.fridge,
        at(morning, 60),
        Some(at(morning, 5 * 60)),
        max_c,
        Some(5.0),
        Some("door left ajar overnight".into()),
    )
    .map_err(|e| step(format!("{e:?}")))?;
    let excursion =
        record_excursion(demo.conn, &demo.actor, at(morning, 8 * 60), demo.policy.forecast, new).map_err(step)?;
    demo.summary.excursions += 1;
    Ok(excursion)
}

/// The two suppliers, and who supplies each item, in what packs, lasting how long.
fn suppliers(demo: &mut Demo<'_>) -> Result<(SupplierId, SupplierId), LoadDemoError> {
    let mut supplier = |code: &str, name: &str, lead_days: i64, email: &str| {
        let new = NewSupplier {
            code: code.into(),
            name: name.into(),
            lead_time_days: lead_days as u32,
            email: Some(email.into()),
            active: true,
        };
        create_supplier(demo.conn, &demo.actor, demo.now, new).map_err(step)
    };
    let manufacturer = supplier(
        "MEDTRONIC",
        "Medtronic MiniMed (MIP consumables)",
        MANUFACTURER_LEAD_DAYS,
        "orders@minimed.demo.mipstock.invalid",
    )?
    .id;
    let sanofi = supplier(
        "SANOFI",
        "Sanofi (Insuman Implantable)",
        SANOFI_LEAD_DAYS,
        "orders@sanofi.demo.mipstock.invalid",
    )?
    .id;
    let items = &demo.items;
    // A French centre names its catalog in French.
    let buying = [
        (
            items.insulin,
            "Insuman Implantable 400 UI/ml, flacon de 10 ml",
            "flacon",
            sanofi,
            10,
            730,
        ),
        (
            items.fill_kit,
            "Kit de remplissage de la pompe MIP",
            "kit",
            manufacturer,
            10,
            540,
        ),
        (
            items.buffer,
            "Solution tampon pour le rinçage de la pompe MIP",
            "flacon",
            manufacturer,
            12,
            365,
        ),
        (
            items.naoh,
            "Solution de NaOH pour le rinçage de la pompe MIP",
            "flacon",
            manufacturer,
            4,
            365,
        ),
        (
            items.catheter,
            "Cathéter intrapéritonéal MIP, longueur standard",
            "cathéter",
            manufacturer,
            1,
            720,
        ),
        (
            items.long_catheter,
            "Cathéter intrapéritonéal MIP, long",
            "cathéter",
            manufacturer,
            1,
            720,
        ),
    ];
    for (item, name, unit, supplier, pack_size, shelf_life_days) in buying {
        let changes = ItemChanges {
            name: Some(name.into()),
            unit: Some(unit.into()),
            supplier_id: Some(Some(supplier)),
            pack_size: Some(pack_size),
            shelf_life_days: Some(Some(shelf_life_days)),
            ..ItemChanges::default()
        };
        update_item(demo.conn, &demo.actor, demo.now, demo.policy.forecast, item, changes).map_err(step)?;
    }
    Ok((manufacturer, sanofi))
}

fn lots_with_stock(
    demo: &mut Demo<'_>,
    item: ItemId,
    location: LocationId,
) -> Result<Vec<(LotId, i64)>, LoadDemoError> {
    let balances = repo::balances::of_items(demo.conn, &[item], Some(location))?;
    Ok(balances.into_iter().map(|b| (b.lot_id, b.quantity)).collect())
}

fn return_a_vial(demo: &mut Demo<'_>, patient: PatientId, day: NaiveDate) -> Result<(), LoadDemoError> {
    let entries = repo::usage::entries(
        demo.conn,
        &repo::usage::UsageQuery {
            patient: Some(patient),
            ..Default::default()
        },
    )?;
    let Some(last) = entries
        .iter()
        .rev()
        .find(|e| e.item_id == demo.items.insulin && e.quantity > 0)
    else {
        return Ok(());
    };
    let request = MovementRequest::Return {
        location: demo.fridge,
        patient: Some(patient),
        lines: vec![LotLine {
            serial: None,
            item: demo.items.insulin,
            lot: last.lot_id,
            quantity: units(1),
        }],
    };
    demo.record(at(day, 400), request);
    Ok(())
}

fn damage_a_kit(demo: &mut Demo<'_>, day: NaiveDate) -> Result<(), LoadDemoError> {
    if let Some((lot, _)) = lots_with_stock(demo, demo.items.fill_kit, demo.fridge)?
        .first()
        .copied()
    {
        let request = MovementRequest::Waste {
            location: demo.fridge,
            reason: WasteReason::Damaged,
            lines: vec![LotLine {
                serial: None,
                item: demo.items.fill_kit,
                lot,
                quantity: units(1),
            }],
        };
        demo.record(at(day, 420), request);
    }
    Ok(())
}

fn count_insulin(demo: &mut Demo<'_>, day: NaiveDate) -> Result<(), LoadDemoError> {
    let lines: Vec<CountLine> = lots_with_stock(demo, demo.items.insulin, demo.fridge)?
        .into_iter()
        .filter_map(|(lot, quantity)| {
            Counted::parse("counted_quantity", quantity)
                .ok()
                .map(|counted| CountLine {
                    item: demo.items.insulin,
                    lot,
                    counted,
                })
        })
        .collect();
    if !lines.is_empty() {
        demo.record(
            at(day, 480),
            MovementRequest::Count {
                location: demo.fridge,
                lines,
            },
        );
    }
    Ok(())
}
