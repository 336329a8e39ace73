//! Regression tests for what the second outside attack found (stock made from nothing, one
//! pack with two patients, destroyed units brought back, serials out of step with unscanned
//! movements, a reversed refill that kept its date) and for `verify` seeing each such state.
//! Each runs on both databases.

use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of, TestApp};
use crate::web::{client, hidden_token, page, pharmacist, post_form, session, PASSWORD};

/// Scanner input with characters of several bytes where a fixed-length field is cut: one of
/// them once panicked the parser (a false 503 through the Refill page).
const MULTIBYTE: [&str; 4] = [
    "01aaaaaaaaaaaaaé",
    "]d201034009585748€917301231",
    "(01)0340095857484é(17)301231",
    "0103400958574849😀7301231",
];

/// An Insuman Implantable box expiring at the end of 2030: lot `lot`, serial `serial`.
fn insuman(lot: &str, serial: &str) -> String {
    format!("]d2010340095857484917301231\u{1d}10{lot}\u{1d}21{serial}")
}

async fn movement(app: &TestApp, body: Value, status: u16) -> Value {
    json_of(app.post("/api/v1/movements", &body).await, status).await
}

async fn refused(app: &TestApp, body: Value, status: u16, slug: &str) -> Value {
    problem_of(app.post("/api/v1/movements", &body).await, status, slug).await
}

async fn reverse(app: &TestApp, movement: &Value) -> reqwest::Response {
    app.post(&format!("/api/v1/movements/{}/reverse", movement["id"]), &json!({}))
        .await
}

/// Every unit on a lot's shelves, summed over locations.
async fn on_hand(app: &TestApp, item: i64) -> i64 {
    let stock = json_of(app.get(&format!("/api/v1/stock?item_id={item}")).await, 200).await;
    stock["data"][0]["on_hand"].as_i64().unwrap()
}

both_backends! {
    async fn a_return_without_a_patient_brings_back_only_what_is_out(app) {
        let kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, kit, "K", &days_from_today(200), 3).await;
        let dispensed = json_of(app.dispense(store, patient, json!([{"item_id": kit, "quantity": 3}])).await, 201).await;
        let anonymous = |quantity: i64| json!({"kind": "return", "location_id": store,
            "lines": [{"item_id": kit, "lot_id": lot, "quantity": quantity}]});
        // More than is out: refused, whatever the patient.
        let problem = refused(&app, anonymous(4), 409, "return-exceeds-dispensed").await;
        assert!(problem["detail"].as_str().unwrap().contains("only 3 unit(s)"), "{problem}");
        movement(&app, anonymous(3), 201).await;
        // The units are back: neither the dispensation's reversal nor the patient's own return
        // can bring them back a second time, nor can another anonymous return.
        problem_of(reverse(&app, &dispensed).await, 409, "return-exceeds-dispensed").await;
        let named = json!({"kind": "return", "location_id": store, "patient_id": patient,
            "lines": [{"item_id": kit, "lot_id": lot, "quantity": 1}]});
        refused(&app, named, 409, "return-exceeds-dispensed").await;
        refused(&app, anonymous(500), 409, "return-exceeds-dispensed").await;
        assert_eq!(app.available(kit, store).await, 3, "3 received, 3 on the shelf");
        app.assert_verified();
        // A reversed anonymous return sends the units out again, and they may come back.
        let again = json_of(app.dispense(store, patient, json!([{"item_id": kit, "quantity": 1}])).await, 201).await;
        let back = movement(&app, anonymous(1), 201).await;
        json_of(reverse(&app, &back).await, 201).await;
        json_of(reverse(&app, &again).await, 201).await;
        assert_eq!(app.available(kit, store).await, 3);
        app.assert_verified();
    }

    async fn a_receipt_whose_pack_is_out_cannot_be_reversed(app) {
        let store = app.location("STORE").await;
        let (p, q) = (app.patient("MIP-P").await, app.patient("MIP-Q").await);
        let code = insuman("L-S", "SN-S");
        let receipt = movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        // Other units of the item on the shelf, so that the reversal is not short of stock.
        app.receive(store, app.seeded.insulin, "OTHER", &days_from_today(300), 5).await;
        movement(&app, json!({"kind": "dispense", "location_id": store, "patient_id": p, "lines": [{"scan": code}]}), 201).await;
        let problem = problem_of(reverse(&app, &receipt).await, 409, "serial-unavailable").await;
        assert!(problem["detail"].as_str().unwrap().contains("SN-S"), "{problem}");
        // The pack is still registered as out with P: it cannot be received again nor go to Q.
        refused(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 409, "duplicate-serial").await;
        refused(&app, json!({"kind": "dispense", "location_id": store, "patient_id": q, "lines": [{"scan": code}]}), 409, "serial-unavailable").await;
        let serial = json_of(app.get("/api/v1/serials/SN-S").await, 200).await;
        assert_eq!(serial["data"][0]["state"], "dispensed", "{serial}");
        app.assert_verified();
        // A receipt whose packs are all where it put them is reversed, and forgets them.
        let code = insuman("L-T", "SN-T");
        let receipt = movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        json_of(reverse(&app, &receipt).await, 201).await;
        movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        app.assert_verified();
    }

    async fn units_destroyed_by_a_cold_chain_decision_never_come_back(app) {
        let insulin = app.seeded.insulin;
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(fridge, insulin, "HOT", &days_from_today(300), 4).await;
        let started = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
        let excursion = json_of(app.post(&format!("/api/v1/locations/{fridge}/excursions"),
            &json!({"started_at": started, "max_temperature_c": 15.0})).await, 201).await;
        let decided = json_of(app.post(&format!("/api/v1/excursions/{}/decisions", excursion["id"]),
            &json!({"lot_id": lot, "decision": "destroy"})).await, 200).await;
        let waste = json_of(app.get(&format!("/api/v1/movements?kind=waste&lot_id={lot}")).await, 200).await;
        let waste = &waste["data"][0];
        assert_eq!(waste["reason"], "cold_chain_breach", "{decided}");
        let problem = problem_of(reverse(&app, waste).await, 409, "not-reversible").await;
        assert!(problem["detail"].as_str().unwrap().contains("decision is final"), "{problem}");
        assert_eq!(on_hand(&app, insulin).await, 0);
        problem_of(app.dispense(fridge, patient, json!([{"item_id": insulin, "quantity": 1}])).await, 409, "insufficient-stock").await;
        app.assert_verified();
        // A waste recorded by hand is still reversed as before.
        let lot = app.receive(fridge, insulin, "DROP", &days_from_today(300), 2).await;
        let dropped = movement(&app, json!({"kind": "waste", "location_id": fridge, "reason": "damaged",
            "lines": [{"item_id": insulin, "lot_id": lot, "quantity": 1}]}), 201).await;
        json_of(reverse(&app, &dropped).await, 201).await;
        assert_eq!(app.available(insulin, fridge).await, 2);
    }

    async fn serialised_packs_leave_only_by_their_scan(app) {
        let insulin = app.seeded.insulin;
        let (store, ward) = (app.location("STORE").await, app.location("WARD").await);
        let (p, q) = (app.patient("MIP-P").await, app.patient("MIP-Q").await);
        let code = insuman("L-M", "SN-M1");
        let receipt = movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        let lot = receipt["lines"][0]["lot_id"].as_i64().unwrap();
        // Two more units of the same lot that carry no serial.
        app.receive(store, insulin, "L-M", "2030-12-31", 2).await;
        let by_lot = |patient: i64, quantity: i64| json!({"kind": "dispense", "location_id": store, "patient_id": patient,
            "lines": [{"item_id": insulin, "lot_id": lot, "quantity": quantity}]});
        refused(&app, by_lot(p, 3), 409, "serial-required").await;
        movement(&app, by_lot(p, 2), 201).await;
        // What is left is the pack: by lot, by FEFO, by transfer, by waste or by a count, it needs its scan.
        let problem = refused(&app, by_lot(q, 1), 409, "serial-required").await;
        assert!(problem["detail"].as_str().unwrap().contains("scan"), "{problem}");
        problem_of(app.dispense(store, q, json!([{"item_id": insulin, "quantity": 1}])).await, 409, "serial-required").await;
        refused(&app, json!({"kind": "transfer", "location_id": store, "to_location_id": ward,
            "lines": [{"item_id": insulin, "lot_id": lot, "quantity": 1}]}), 409, "serial-required").await;
        refused(&app, json!({"kind": "transfer", "location_id": store, "to_location_id": ward,
            "lines": [{"item_id": insulin, "quantity": 1}]}), 409, "serial-required").await;
        refused(&app, json!({"kind": "waste", "location_id": store, "reason": "damaged",
            "lines": [{"item_id": insulin, "lot_id": lot, "quantity": 1}]}), 409, "serial-required").await;
        refused(&app, json!({"kind": "count", "location_id": store,
            "lines": [{"item_id": insulin, "lot_id": lot, "counted_quantity": 0}]}), 409, "serial-required").await;
        // By its scan it goes where it is sent, and the registry follows.
        movement(&app, json!({"kind": "transfer", "location_id": store, "to_location_id": ward, "lines": [{"scan": code}]}), 201).await;
        movement(&app, json!({"kind": "dispense", "location_id": ward, "patient_id": q, "lines": [{"scan": code}]}), 201).await;
        let serial = json_of(app.get("/api/v1/serials/SN-M1").await, 200).await;
        assert_eq!(serial["data"][0]["state"], "dispensed", "{serial}");
        assert_eq!(app.available(insulin, store).await, 0);
        app.assert_verified();
    }

    async fn a_reversed_refill_gives_back_the_next_refill_date(app) {
        let store = app.location("STORE").await;
        for (item, lot) in [(app.seeded.fill_kit, "K"), (app.seeded.buffer, "B"), (app.seeded.insulin, "I")] {
            app.receive_days_ago(3, store, item, lot, &days_from_today(300), 10).await;
        }
        let due = days_from_today(1);
        let patient = json_of(app.post("/api/v1/patients", &json!({"reference": "MIP-R", "refill_interval_days": 40, "next_refill_on": due})).await, 201).await;
        let id = patient["id"].as_i64().unwrap();
        let refill = |days_ago: i64| json!({"procedure": "refill", "location_id": store,
            "occurred_at": (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339()});
        let next = || async { json_of(app.get(&format!("/api/v1/patients/{id}")).await, 200).await["next_refill_on"].clone() };
        let first = json_of(app.post(&format!("/api/v1/patients/{id}/procedures"), &refill(1)).await, 201).await;
        assert_eq!(next().await, json!(days_from_today(39)));
        json_of(reverse(&app, &first).await, 201).await;
        assert_eq!(next().await, json!(due), "back on the roster at its date");
        let due_list = json_of(app.get(&format!("/api/v1/patients?refill_due_before={}", days_from_today(2))).await, 200).await;
        assert_eq!(due_list["data"].as_array().unwrap().len(), 1);
        // A later refill moved the date since: reversing the earlier one leaves it.
        let earlier = json_of(app.post(&format!("/api/v1/patients/{id}/procedures"), &refill(2)).await, 201).await;
        json_of(app.post(&format!("/api/v1/patients/{id}/procedures"), &refill(0)).await, 201).await;
        assert_eq!(next().await, json!(days_from_today(40)));
        json_of(reverse(&app, &earlier).await, 201).await;
        assert_eq!(next().await, json!(days_from_today(40)));
        // So does an edit.
        let last = json_of(app.get(&format!("/api/v1/movements?kind=dispense&patient_id={id}")).await, 200).await;
        let last = last["data"].as_array().unwrap().iter().find(|m| m["reversed_by_movement_id"].is_null()).unwrap().clone();
        json_of(app.patch(&format!("/api/v1/patients/{id}"), &json!({"next_refill_on": days_from_today(10)})).await, 200).await;
        json_of(reverse(&app, &last).await, 201).await;
        assert_eq!(next().await, json!(days_from_today(10)));
        app.assert_verified();
    }

    async fn verify_sees_stock_from_nothing_and_packs_out_twice(app) {
        let kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, kit, "K", &days_from_today(200), 3).await;
        json_of(app.dispense(store, patient, json!([{"item_id": kit, "quantity": 3}])).await, 201).await;
        app.assert_verified();
        // The first attack's state, written behind the API's back: an anonymous return of 3 then
        // the dispensation reversed — 6 on the shelf from 3 received.
        app.execute_sql(&format!(
            "INSERT INTO movements (kind, occurred_at, recorded_at, location_id, actor_name, actor_role) \
             VALUES ('return', '2026-11-20 10:00:00', '2026-11-20 10:00:00', {store}, 'intruder', 'admin'); \
             INSERT INTO movement_lines (movement_id, line_index, item_id, lot_id, location_id, delta) \
             VALUES ((SELECT MAX(id) FROM movements), 0, {kit}, {lot}, {store}, 3); \
             INSERT INTO movements (kind, occurred_at, recorded_at, location_id, patient_id, actor_name, actor_role, reverses_movement_id) \
             VALUES ('reversal', '2026-11-20 10:01:00', '2026-11-20 10:01:00', {store}, {patient}, 'intruder', 'admin', \
               (SELECT MIN(id) FROM movements WHERE kind = 'dispense')); \
             INSERT INTO movement_lines (movement_id, line_index, item_id, lot_id, location_id, delta) \
             VALUES ((SELECT MAX(id) FROM movements), 0, {kit}, {lot}, {store}, 3); \
             UPDATE balances SET quantity = quantity + 6 WHERE lot_id = {lot} AND location_id = {store};"
        ));
        let (clean, report) = app.verify();
        assert!(!clean);
        assert!(report.contains(&format!("lot {lot}: 6 unit(s) on the shelves and 0 with patients, but only 3 came in")), "{report}");
        assert!(report.contains(&format!("lot {lot}: 3 more unit(s) came back from patients than were out")), "{report}");
    }

    async fn verify_sees_the_serial_registry_out_of_step(app) {
        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let (p, q) = (app.patient("MIP-P").await, app.patient("MIP-Q").await);
        let code = insuman("L-V", "SN-V");
        let receipt = movement(&app, json!({"kind": "receipt", "location_id": store, "lines": [{"scan": code}]}), 201).await;
        let lot = receipt["lines"][0]["lot_id"].as_i64().unwrap();
        movement(&app, json!({"kind": "dispense", "location_id": store, "patient_id": p, "lines": [{"scan": code}]}), 201).await;
        app.assert_verified();
        // Behind the API's back: the registry says the pack is on the shelf (balance 0), and a
        // second dispensation of it to Q is in the ledger.
        app.execute_sql(&format!(
            "UPDATE lot_serials SET state = 'in_stock', location_id = {store} WHERE serial = 'SN-V'; \
             INSERT INTO movements (kind, occurred_at, recorded_at, location_id, patient_id, actor_name, actor_role) \
             VALUES ('dispense', '2026-11-20 10:00:00', '2026-11-20 10:00:00', {store}, {q}, 'intruder', 'admin'); \
             INSERT INTO movement_lines (movement_id, line_index, item_id, lot_id, location_id, delta, serial) \
             VALUES ((SELECT MAX(id) FROM movements), 0, {insulin}, {lot}, {store}, -1, 'SN-V');"
        ));
        let (clean, report) = app.verify();
        assert!(!clean);
        assert!(report.contains("serial SN-V is out with patients 2 times at once"), "{report}");
        assert!(report.contains(&format!("lot {lot} at location {store}: 1 serialised pack(s) in stock, the balance holds 0")), "{report}");
    }

    async fn multibyte_scanner_input_is_refused_on_every_scan_path(app) {
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        for data in MULTIBYTE {
            let problem = problem_of(app.post("/api/v1/scans/parse", &json!({"data": data})).await, 422, "validation-failed").await;
            assert_eq!(problem["errors"][0]["field"], "data", "{data}: {problem}");
            for body in [
                json!({"kind": "receipt", "location_id": store, "lines": [{"scan": data}]}),
                json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"scan": data}]}),
            ] {
                let problem = refused(&app, body, 422, "validation-failed").await;
                assert_eq!(problem["errors"][0]["field"], "lines[0].scan", "{data}: {problem}");
            }
            let body = json!({"procedure": "refill", "location_id": store, "lines": [{"scan": data}]});
            let answer = app.post(&format!("/api/v1/patients/{patient}/procedures"), &body).await;
            assert!(matches!(answer.status().as_u16(), 422), "{data}: {}", answer.status());
        }
        pharmacist(&app).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let form = page(&app, &web, &marie, &format!("/refills/{patient}")).await;
        for data in MULTIBYTE {
            let answer = post_form(&app, &web, &marie, &format!("/refills/{patient}"),
                &[("csrf_token", &hidden_token(&form)), ("location_id", &store.to_string()), ("scans", data)]).await;
            assert_eq!(answer.status(), 422, "{data}");
        }
        assert_eq!(json_of(app.get("/api/v1/movements").await, 200).await["data"], json!([]), "nothing written");
    }

    async fn a_form_posted_twice_records_once(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        for (item, lot) in [(app.seeded.fill_kit, "K"), (app.seeded.buffer, "B"), (app.seeded.insulin, "I")] {
            app.receive_days_ago(1, store, item, lot, &days_from_today(300), 10).await;
        }
        let patient = app.patient("MIP-TWICE").await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let form = page(&app, &web, &marie, &format!("/refills/{patient}")).await;
        let once = hidden(&form, "once");
        let fields = [("csrf_token", hidden_token(&form)), ("once", once.clone()), ("location_id", store.to_string()), ("scans", String::new())];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let path = format!("/refills/{patient}");
        // A double click: two posts of one rendered form at once, then the page submitted again.
        let (first, second) = futures_util::future::join(post_form(&app, &web, &marie, &path, &fields), post_form(&app, &web, &marie, &path, &fields)).await;
        let third = post_form(&app, &web, &marie, &path, &fields).await;
        let to = |r: &reqwest::Response| (r.status().as_u16(), r.headers().get("location").map(|v| v.to_str().unwrap().to_owned()));
        let (first, second, third) = (to(&first), to(&second), to(&third));
        assert_eq!(first.0, 303);
        assert_eq!(first, second, "the repeat is sent where the first was");
        assert_eq!(first, third);
        let movements = json_of(app.get(&format!("/api/v1/movements?patient_id={patient}")).await, 200).await;
        assert_eq!(movements["data"].as_array().unwrap().len(), 1, "one refill recorded: {movements}");
        // A post that recorded nothing (no location) gives its token back: corrected, it records.
        let form = page(&app, &web, &marie, &path).await;
        let once = hidden(&form, "once");
        let refused = post_form(&app, &web, &marie, &path, &[("csrf_token", &hidden_token(&form)), ("once", &once), ("location_id", "999999"), ("scans", "")]).await;
        assert_ne!(refused.status(), 303);
        let fixed = post_form(&app, &web, &marie, &path, &[("csrf_token", &hidden_token(&form)), ("once", &once), ("location_id", &store.to_string()), ("scans", "")]).await;
        assert_eq!(fixed.status(), 303);
        let movements = json_of(app.get(&format!("/api/v1/movements?patient_id={patient}")).await, 200).await;
        assert_eq!(movements["data"].as_array().unwrap().len(), 2);
    }
}

/// The value of a hidden field of a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).unwrap_or_else(|| panic!("a hidden {name} field")) + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}
