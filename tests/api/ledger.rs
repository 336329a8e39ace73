use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of};

fn deltas(movement: &Value) -> Vec<(i64, i64, i64)> {
    movement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["lot_id"].as_i64().unwrap(),
                l["location_id"].as_i64().unwrap(),
                l["delta"].as_i64().unwrap(),
            )
        })
        .collect()
}

both_backends! {
    async fn every_kind_of_movement_moves_stock(app) {
        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("MIP-1").await;

        // Receipt: two lots.
        let receipt = json!({"kind": "receipt", "location_id": store, "reference": "DN-778", "occurred_at": "2026-01-05T09:30:00Z",
            "lines": [
                {"item_id": insulin, "lot_number": "LATE", "expires_on": days_from_today(300), "quantity": 10},
                {"item_id": insulin, "lot_number": "EARLY", "expires_on": days_from_today(100), "quantity": 4}
            ]});
        let created = app.post("/api/v1/movements", &receipt).await;
        assert!(created.headers()["location"].to_str().unwrap().starts_with("/api/v1/movements/"));
        let receipt = json_of(created, 201).await;
        assert_eq!(receipt["kind"], "receipt");
        assert_eq!(receipt["occurred_at"], "2026-01-05T09:30:00Z");
        assert!(receipt["recorded_at"].is_string());
        assert_eq!(receipt["actor"]["role"], "admin");
        let late = receipt["lines"][0]["lot_id"].as_i64().unwrap();
        let early = receipt["lines"][1]["lot_id"].as_i64().unwrap();
        assert_eq!(deltas(&receipt), vec![(late, store, 10), (early, store, 4)]);
        let lot = json_of(app.get(&format!("/api/v1/lots/{early}")).await, 200).await;
        assert_eq!(lot["status"], "available");

        // A second receipt of a known lot adds to it.
        app.receive(store, insulin, "LATE", &days_from_today(300), 2).await;

        // Transfer without lot: FEFO, split across lots, one line out and one in per lot.
        let transfer = json!({"kind": "transfer", "location_id": store, "to_location_id": fridge, "lines": [{"item_id": insulin, "quantity": 6}]});
        let transfer = json_of(app.post("/api/v1/movements", &transfer).await, 201).await;
        assert_eq!(deltas(&transfer), vec![(early, store, -4), (early, fridge, 4), (late, store, -2), (late, fridge, 2)]);

        // Dispense from a named lot.
        let dispensed = json_of(app.dispense(fridge, patient, json!([{"item_id": insulin, "lot_id": late, "quantity": 2}])).await, 201).await;
        assert_eq!(deltas(&dispensed), vec![(late, fridge, -2)]);
        assert_eq!(dispensed["patient_id"], patient);

        // Return from the patient, then waste and count.
        let back = json!({"kind": "return", "location_id": fridge, "patient_id": patient, "lines": [{"item_id": insulin, "lot_id": late, "quantity": 1}]});
        assert_eq!(deltas(&json_of(app.post("/api/v1/movements", &back).await, 201).await), vec![(late, fridge, 1)]);
        let waste = json!({"kind": "waste", "location_id": fridge, "reason": "cold_chain_breach", "lines": [{"item_id": insulin, "lot_id": early, "quantity": 1}]});
        let waste = json_of(app.post("/api/v1/movements", &waste).await, 201).await;
        assert_eq!(waste["reason"], "cold_chain_breach");
        assert_eq!(deltas(&waste), vec![(early, fridge, -1)]);
        let count = json!({"kind": "count", "location_id": store, "lines": [{"item_id": insulin, "lot_id": late, "counted_quantity": 7}]});
        let count = json_of(app.post("/api/v1/movements", &count).await, 201).await;
        assert_eq!(deltas(&count), vec![(late, store, -3)]);
        assert_eq!(count["lines"][0]["counted_quantity"], 7);
        let same = json!({"kind": "count", "location_id": store, "lines": [{"item_id": insulin, "lot_id": late, "counted_quantity": 7}]});
        assert_eq!(deltas(&json_of(app.post("/api/v1/movements", &same).await, 201).await), vec![(late, store, 0)]);

        // Store: late 10+2-2-3 = 7. Fridge: early 4-1 = 3, late 2-2+1 = 1.
        assert_eq!(app.available(insulin, store).await, 7);
        assert_eq!(app.available(insulin, fridge).await, 4);
        let stock = json_of(app.get(&format!("/api/v1/stock?item_id={insulin}")).await, 200).await;
        assert_eq!(stock["data"][0]["on_hand"], 11);
        let by_location = json_of(app.get(&format!("/api/v1/stock?item_id={insulin}&by=location")).await, 200).await;
        let rows: Vec<(i64, i64)> = by_location["data"].as_array().unwrap().iter()
            .map(|r| (r["location_id"].as_i64().unwrap(), r["on_hand"].as_i64().unwrap())).collect();
        assert_eq!(rows, vec![(store, 7), (fridge, 4)]);

        // The ledger lists it all, filterable.
        let all = json_of(app.get("/api/v1/movements").await, 200).await;
        assert_eq!(all["data"].as_array().unwrap().len(), 8);
        let for_patient = json_of(app.get(&format!("/api/v1/movements?patient_id={patient}")).await, 200).await;
        assert_eq!(for_patient["data"].as_array().unwrap().len(), 2);
        let at_fridge = json_of(app.get(&format!("/api/v1/movements?location_id={fridge}&kind=waste")).await, 200).await;
        assert_eq!(at_fridge["data"].as_array().unwrap().len(), 1);
        let january = json_of(app.get("/api/v1/movements?from=2026-01-05&to=2026-01-05").await, 200).await;
        assert_eq!(january["data"].as_array().unwrap().len(), 1);
        let of_lot = json_of(app.get(&format!("/api/v1/movements?lot_id={early}&limit=2")).await, 200).await;
        assert!(of_lot["next_cursor"].is_string());

        // Serials received are kept on the lot.
        let serialised = json!({"kind": "receipt", "location_id": store, "lines": [
            {"item_id": insulin, "lot_number": "SER", "expires_on": days_from_today(100), "quantity": 3, "serials": ["S-1", "S-2"]}]});
        let serialised = json_of(app.post("/api/v1/movements", &serialised).await, 201).await;
        let lot = json_of(app.get(&format!("/api/v1/lots/{}", serialised["lines"][0]["lot_id"])).await, 200).await;
        assert_eq!(lot["serials"], json!(["S-1", "S-2"]));
        app.assert_verified();
    }

    async fn stock_never_goes_negative_and_failures_write_nothing(app) {

        let insulin = app.seeded.insulin;

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, fill_kit, "K1", &days_from_today(200), 3).await;

        let problem = problem_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "quantity": 4}])).await, 409, "insufficient-stock").await;
        assert_eq!(problem["shortage"], json!({"item_id": fill_kit, "location_id": store, "requested": 4, "available": 3}));
        problem_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "lot_id": lot, "quantity": 4}])).await, 409, "insufficient-stock").await;
        let waste = json!({"kind": "waste", "location_id": store, "reason": "damaged", "lines": [{"item_id": fill_kit, "lot_id": lot, "quantity": 9}]});
        problem_of(app.post("/api/v1/movements", &waste).await, 409, "insufficient-stock").await;

        // All-or-nothing: the first line could be served, the second cannot.
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [
            {"item_id": fill_kit, "quantity": 2}, {"item_id": insulin, "quantity": 1}]});
        problem_of(app.post("/api/v1/movements", &body).await, 409, "insufficient-stock").await;
        assert_eq!(app.available(fill_kit, store).await, 3);
        assert_eq!(json_of(app.get("/api/v1/movements").await, 200).await["data"].as_array().unwrap().len(), 1);
    }

    async fn unusable_lots_are_refused_for_dispense_and_transfer_only(app) {

        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("MIP-1").await;
        let expired = app.receive(store, insulin, "OLD", &days_from_today(10), 5).await;
        let quarantined = app.receive(store, insulin, "Q", &days_from_today(20), 5).await;
        let recalled = app.receive(store, insulin, "R", &days_from_today(30), 5).await;
        // Time passes for lot OLD: it expired yesterday.
        app.execute_sql(&format!("UPDATE lots SET expires_on = '{}' WHERE id = {expired}", days_from_today(-1)));
        json_of(app.patch(&format!("/api/v1/lots/{quarantined}"), &json!({"status": "quarantined", "status_reason": "temperature excursion"})).await, 200).await;
        let lot = json_of(app.patch(&format!("/api/v1/lots/{recalled}"), &json!({"status": "recalled", "status_reason": "Sanofi recall 2026-11"})).await, 200).await;
        assert_eq!(lot["status_reason"], "Sanofi recall 2026-11");
        problem_of(app.patch(&format!("/api/v1/lots/{recalled}"), &json!({"status": "recalled"})).await, 422, "validation-failed").await;
        problem_of(app.patch(&format!("/api/v1/lots/{recalled}"), &json!({"status": "recalled", "status_reason": "x", "expires_on": "2030-01-01"})).await, 422, "validation-failed").await;

        for (lot, kind) in [(expired, "lot-expired"), (quarantined, "lot-quarantined"), (recalled, "lot-recalled")] {
            problem_of(app.dispense(store, patient, json!([{"item_id": insulin, "lot_id": lot, "quantity": 1}])).await, 409, kind).await;
            let transfer = json!({"kind": "transfer", "location_id": store, "to_location_id": fridge, "lines": [{"item_id": insulin, "lot_id": lot, "quantity": 1}]});
            problem_of(app.post("/api/v1/movements", &transfer).await, 409, kind).await;
        }
        // FEFO skips them all: nothing is available.
        let problem = problem_of(app.dispense(store, patient, json!([{"item_id": insulin, "quantity": 1}])).await, 409, "insufficient-stock").await;
        assert_eq!(problem["shortage"]["available"], 0);
        let stock = json_of(app.get(&format!("/api/v1/stock?item_id={insulin}")).await, 200).await;
        let row = &stock["data"][0];
        assert_eq!((row["on_hand"].as_i64(), row["available"].as_i64(), row["expired"].as_i64(), row["quarantined"].as_i64()), (Some(15), Some(0), Some(5), Some(10)));
        assert_eq!(row["status"], "out");

        // Waste and count accept them.
        for lot in [expired, quarantined, recalled] {
            let waste = json!({"kind": "waste", "location_id": store, "reason": "expired", "lines": [{"item_id": insulin, "lot_id": lot, "quantity": 1}]});
            json_of(app.post("/api/v1/movements", &waste).await, 201).await;
            let count = json!({"kind": "count", "location_id": store, "lines": [{"item_id": insulin, "lot_id": lot, "counted_quantity": 2}]});
            json_of(app.post("/api/v1/movements", &count).await, 201).await;
        }
        // A released lot can be dispensed again.
        json_of(app.patch(&format!("/api/v1/lots/{quarantined}"), &json!({"status": "available", "status_reason": "excursion cleared by QA"})).await, 200).await;
        json_of(app.dispense(store, patient, json!([{"item_id": insulin, "quantity": 1}])).await, 201).await;
        let audit = json_of(app.get("/api/v1/audit?action=lot.status").await, 200).await;
        assert_eq!(audit["data"].as_array().unwrap().len(), 3);
    }

    async fn a_backdated_dispense_uses_the_lots_usable_on_that_day(app) {

        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let five_days_ago = (chrono::Utc::now() - chrono::Duration::days(5)).to_rfc3339();
        let receipt = json!({"kind": "receipt", "location_id": store, "occurred_at": five_days_ago,
            "lines": [{"item_id": insulin, "lot_number": "A", "expires_on": days_from_today(30), "quantity": 5}]});
        let lot = json_of(app.post("/api/v1/movements", &receipt).await, 201).await["lines"][0]["lot_id"].as_i64().unwrap();
        app.execute_sql(&format!("UPDATE lots SET expires_on = '{}' WHERE id = {lot}", days_from_today(-2)));
        let three_days_ago = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339();
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "occurred_at": three_days_ago, "lines": [{"item_id": insulin, "quantity": 1}]});
        json_of(app.post("/api/v1/movements", &body).await, 201).await;
        let future = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "occurred_at": future, "lines": [{"item_id": insulin, "quantity": 1}]});
        let problem = problem_of(app.post("/api/v1/movements", &body).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "occurred_at");
    }

    async fn receipts_are_validated(app) {

        let insulin = app.seeded.insulin;

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let past = json!({"kind": "receipt", "location_id": store, "lines": [{"item_id": insulin, "lot_number": "P", "expires_on": days_from_today(-1), "quantity": 1}]});
        let problem = problem_of(app.post("/api/v1/movements", &past).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "lines[0].expires_on");

        app.receive(store, insulin, "L1", &days_from_today(100), 1).await;
        let other_expiry = json!({"kind": "receipt", "location_id": store, "lines": [{"item_id": insulin, "lot_number": "L1", "expires_on": days_from_today(101), "quantity": 1}]});
        problem_of(app.post("/api/v1/movements", &other_expiry).await, 409, "lot-expiry-mismatch").await;

        let serial = |s: &str| json!({"kind": "receipt", "location_id": store, "lines": [{"item_id": fill_kit, "lot_number": "K", "expires_on": days_from_today(100), "quantity": 1, "serials": [s]}]});
        json_of(app.post("/api/v1/movements", &serial("SN-1")).await, 201).await;
        problem_of(app.post("/api/v1/movements", &serial("SN-1")).await, 409, "duplicate-serial").await;

        // Every field problem at once, by path.
        let bad = json!({"kind": "receipt", "location_id": store, "patient_id": 1, "lines": [
            {"item_id": insulin, "quantity": 0, "lot_number": "X", "expires_on": days_from_today(5)},
            {"item_id": insulin, "quantity": 1},
            {"item_id": 999, "quantity": 1, "lot_number": "Y", "expires_on": days_from_today(5)}]});
        let problem = problem_of(app.post("/api/v1/movements", &bad).await, 422, "validation-failed").await;
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["patient_id", "lines[0].quantity", "lines[1].expires_on", "lines[1].lot_number"]);
        let unknown_item = json!({"kind": "receipt", "location_id": store, "lines": [{"item_id": 999, "quantity": 1, "lot_number": "Y", "expires_on": days_from_today(5)}]});
        let problem = problem_of(app.post("/api/v1/movements", &unknown_item).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "lines[0].item_id");

        for body in [
            json!({"kind": "dispense", "location_id": store, "lines": [{"item_id": insulin, "quantity": 1}]}),
            json!({"kind": "transfer", "location_id": store, "to_location_id": store, "lines": [{"item_id": insulin, "quantity": 1}]}),
            json!({"kind": "waste", "location_id": store, "reason": "lost", "lines": [{"item_id": insulin, "lot_id": 1, "quantity": 1}]}),
            json!({"kind": "count", "location_id": store, "lines": [{"item_id": insulin, "lot_id": 1, "quantity": 1}]}),
            json!({"kind": "return", "location_id": store, "lines": [{"item_id": insulin, "quantity": 1}]}),
            json!({"kind": "reversal", "location_id": store, "lines": [{"item_id": insulin, "quantity": 1}]}),
            json!({"kind": "teleport", "location_id": store, "lines": []}),
            json!({"kind": "receipt", "location_id": store, "lines": []}),
            json!({"kind": "receipt", "location_id": 9999, "lines": [{"item_id": insulin, "quantity": 1, "lot_number": "Z", "expires_on": days_from_today(5)}]}),
            json!({"kind": "dispense", "location_id": store, "patient_id": 1, "lines": [{"item_id": insulin, "quantity": 99999999999999i64}]}),
        ] {
            problem_of(app.post("/api/v1/movements", &body).await, 422, "validation-failed").await;
        }
        let movements = json_of(app.get("/api/v1/movements").await, 200).await;
        assert_eq!(movements["data"].as_array().unwrap().len(), 2, "nothing invalid was written");
    }

    async fn returns_cannot_exceed_what_the_patient_received(app) {

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, fill_kit, "K1", &days_from_today(100), 5).await;
        json_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "lot_id": lot, "quantity": 2}])).await, 201).await;
        let back = |q: i64| json!({"kind": "return", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "lot_id": lot, "quantity": q}]});
        problem_of(app.post("/api/v1/movements", &back(3)).await, 409, "return-exceeds-dispensed").await;
        json_of(app.post("/api/v1/movements", &back(2)).await, 201).await;
        problem_of(app.post("/api/v1/movements", &back(1)).await, 409, "return-exceeds-dispensed").await;
    }

    async fn reversals_compensate_once(app) {

        let insulin = app.seeded.insulin;

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(store, insulin, "A", &days_from_today(50), 3).await;
        app.receive(store, insulin, "B", &days_from_today(60), 3).await;
        let dispensed = json_of(app.dispense(store, patient, json!([{"item_id": insulin, "quantity": 4}])).await, 201).await;
        let id = dispensed["id"].as_i64().unwrap();
        let reversal = json_of(app.post(&format!("/api/v1/movements/{id}/reverse"), &json!({})).await, 201).await;
        assert_eq!(reversal["kind"], "reversal");
        assert_eq!(reversal["reverses_movement_id"], id);
        let opposite: Vec<(i64, i64, i64)> = deltas(&dispensed).into_iter().map(|(l, loc, d)| (l, loc, -d)).collect();
        assert_eq!(deltas(&reversal), opposite);
        let original = json_of(app.get(&format!("/api/v1/movements/{id}")).await, 200).await;
        assert_eq!(original["reversed_by_movement_id"], reversal["id"]);
        assert_eq!(app.available(insulin, store).await, 6);

        problem_of(app.post(&format!("/api/v1/movements/{id}/reverse"), &json!({})).await, 409, "already-reversed").await;
        let reversal_id = reversal["id"].as_i64().unwrap();
        problem_of(app.post(&format!("/api/v1/movements/{reversal_id}/reverse"), &json!({})).await, 409, "not-reversible").await;
        problem_of(app.post("/api/v1/movements/9999/reverse", &json!({})).await, 404, "not-found").await;

        // A receipt whose stock has moved on cannot be taken back.
        let receipt = json!({"kind": "receipt", "location_id": store, "lines": [{"item_id": fill_kit, "lot_number": "K", "expires_on": days_from_today(90), "quantity": 2}]});
        let receipt = json_of(app.post("/api/v1/movements", &receipt).await, 201).await;
        let transfer = json!({"kind": "transfer", "location_id": store, "to_location_id": fridge, "lines": [{"item_id": fill_kit, "quantity": 2}]});
        json_of(app.post("/api/v1/movements", &transfer).await, 201).await;
        let problem = problem_of(app.post(&format!("/api/v1/movements/{}/reverse", receipt["id"]), &json!({})).await, 409, "insufficient-stock").await;
        assert_eq!(problem["shortage"]["available"], 0);
        app.assert_verified();
    }

    async fn idempotency_keys_replay_and_conflict(app) {

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(store, fill_kit, "K1", &days_from_today(100), 5).await;
        let send = |key: &'static str, body: Value| {
            app.client.post(app.url("/api/v1/movements")).bearer_auth(&app.admin_token).header("idempotency-key", key).json(&body).send()
        };
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 2}]});
        let first = send("refill-42", body.clone()).await.unwrap();
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first = json_of(first, 201).await;
        // Same key, same body (keys in another order): the stored answer, applied once.
        let reordered: Value = serde_json::from_str(&format!(
            r#"{{"lines": [{{"quantity": 2, "item_id": {fill_kit}}}], "patient_id": {patient}, "location_id": {store}, "kind": "dispense"}}"#
        )).unwrap();
        let again = send("refill-42", reordered).await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(json_of(again, 201).await, first);
        assert_eq!(app.available(fill_kit, store).await, 3);
        // Same key, other body → 409; nothing applied.
        let other = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 1}]});
        problem_of(send("refill-42", other.clone()).await.unwrap(), 409, "idempotency-key-reused").await;
        assert_eq!(app.available(fill_kit, store).await, 3);
        // A refused request (4xx) stores nothing: the key stays free, and the same key is
        // applied once the request can be — with a corrected body, or once stock has arrived.
        let too_many = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 4}]});
        problem_of(send("too-many", too_many.clone()).await.unwrap(), 409, "insufficient-stock").await;
        let invalid = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 0}]});
        problem_of(send("corrected", invalid).await.unwrap(), 422, "validation-failed").await;
        let corrected = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 1}]});
        json_of(send("corrected", corrected).await.unwrap(), 201).await;
        app.receive(store, fill_kit, "K1", &days_from_today(100), 5).await;
        let applied = send("too-many", too_many.clone()).await.unwrap();
        assert!(applied.headers().get("idempotent-replayed").is_none());
        json_of(applied, 201).await;
        let replayed = send("too-many", too_many).await.unwrap();
        assert_eq!(replayed.headers()["idempotent-replayed"], "true");
        json_of(replayed, 201).await;
        // Keys belong to their token: another token may use the same key.
        let (_, pharmacist) = app.token("second", "pharmacist").await;
        let theirs = app.client.post(app.url("/api/v1/movements")).bearer_auth(&pharmacist).header("idempotency-key", "refill-42").json(&other).send().await.unwrap();
        json_of(theirs, 201).await;
        // Other routes honour keys too; reversals are applied once.
        let loc = json!({"code": "OR", "name": "Operating room"});
        let make = || app.client.post(app.url("/api/v1/locations")).bearer_auth(&app.admin_token).header("idempotency-key", "loc-1").json(&loc).send();
        let a = json_of(make().await.unwrap(), 201).await;
        assert_eq!(json_of(make().await.unwrap(), 201).await, a);
        let reverse = || app.client.post(app.url(&format!("/api/v1/movements/{}/reverse", first["id"]))).bearer_auth(&app.admin_token).header("idempotency-key", "undo").send();
        let undone = json_of(reverse().await.unwrap(), 201).await;
        assert_eq!(json_of(reverse().await.unwrap(), 201).await, undone);
        let bad_key = app.client.post(app.url("/api/v1/locations")).bearer_auth(&app.admin_token).header("idempotency-key", "").json(&loc).send().await.unwrap();
        problem_of(bad_key, 400, "malformed-request").await;
    }

    async fn token_secrets_are_not_replayed(app) {
        let make = || app.client.post(app.url("/api/v1/tokens")).bearer_auth(&app.admin_token).header("idempotency-key", "t1").json(&json!({"name": "his", "role": "viewer"})).send();
        let first = json_of(make().await.unwrap(), 201).await;
        assert!(first["token"].as_str().unwrap().starts_with("mst_"));
        let again = json_of(make().await.unwrap(), 201).await;
        assert_eq!(again["id"], first["id"]);
        assert!(!again["token"].as_str().unwrap().starts_with("mst_"));
        assert_eq!(json_of(app.get("/api/v1/tokens").await, 200).await["data"].as_array().unwrap().len(), 2);
    }

    async fn every_write_is_audited(app) {

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, fill_kit, "K1", &days_from_today(100), 5).await;
        json_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "quantity": 1}])).await, 201).await;
        json_of(app.patch(&format!("/api/v1/lots/{lot}"), &json!({"status": "quarantined", "status_reason": "check"})).await, 200).await;
        json_of(app.patch("/api/v1/items/1", &json!({"name": "Insuman"})).await, 200).await;
        let (_, viewer) = app.token("screen", "viewer").await;
        let audit = json_of(app.get("/api/v1/audit?limit=500").await, 200).await;
        let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for action in ["token.create", "location.create", "patient.create", "movement.create", "lot.status", "item.update"] {
            assert!(actions.contains(&action), "{action} missing from {actions:?}");
        }
        let event = audit["data"].as_array().unwrap().iter().find(|e| e["action"] == "movement.create").unwrap();
        assert_eq!(event["actor_name"], "bootstrap");
        assert!(event["occurred_at"].is_string());
        let filtered = json_of(app.get(&format!("/api/v1/audit?target_type=lot&target_id={lot}")).await, 200).await;
        assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
        let paged = json_of(app.get("/api/v1/audit?limit=2").await, 200).await;
        assert!(paged["next_cursor"].is_string());
        // The audit log is for admins.
        let (_, pharmacist) = app.token("ph", "pharmacist").await;
        problem_of(app.send(reqwest::Method::GET, "/api/v1/audit", Some(&pharmacist), None).await, 403, "forbidden").await;
        problem_of(app.send(reqwest::Method::GET, "/api/v1/audit", Some(&viewer), None).await, 403, "forbidden").await;
    }
    async fn verify_reports_a_tampered_store(app) {
        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, fill_kit, "A", &days_from_today(60), 5).await;
        json_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "quantity": 2}])).await, 201).await;
        let (ok, report) = app.verify();
        assert!(ok && report.contains("ok: every invariant holds"), "{report}");

        app.execute_sql(&format!("UPDATE balances SET quantity = quantity + 1 WHERE lot_id = {lot}"));
        app.execute_sql("UPDATE movements SET patient_id = NULL WHERE kind = 'dispense'");
        let (ok, report) = app.verify();
        assert!(!ok);
        assert!(report.contains(&format!("lot {lot} at location {store} stores 4, ledger sums to 3")), "{report}");
        assert!(report.contains("a dispensation names no patient"), "{report}");
    }
}
