use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of, TestApp};

async fn dispense(app: &TestApp, location: i64, patient: i64, lines: Value) -> Value {
    json_of(app.dispense(location, patient, lines).await, 201).await
}

/// A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF rows.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

both_backends! {
    async fn usage_is_net_of_returns_and_reversals_across_fefo_splits(app) {
        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let other = app.patient("MIP-2").await;
        let early = app.receive(store, insulin, "E, 1", &days_from_today(40), 3).await;
        let late = app.receive(store, insulin, "L\"2", &days_from_today(80), 10).await;
        // 5 vials: 3 from the early lot, 2 from the late one.
        let first = dispense(&app, store, patient, json!([{"item_id": insulin, "quantity": 5}])).await;
        assert_eq!(first["lines"].as_array().unwrap().len(), 2);
        // One vial comes back; a mistaken dispense is reversed; another patient's usage is separate.
        let back = json!({"kind": "return", "location_id": store, "patient_id": patient, "lines": [{"item_id": insulin, "lot_id": late, "quantity": 1}]});
        json_of(app.post("/api/v1/movements", &back).await, 201).await;
        let mistaken = dispense(&app, store, patient, json!([{"item_id": insulin, "quantity": 2}])).await;
        json_of(app.post(&format!("/api/v1/movements/{}/reverse", mistaken["id"]), &json!({})).await, 201).await;
        dispense(&app, store, other, json!([{"item_id": insulin, "quantity": 1}])).await;

        let today = days_from_today(0);
        let usage = json_of(app.get(&format!("/api/v1/patients/{patient}/usage?from={today}&to={today}")).await, 200).await;
        assert_eq!(usage["totals"], json!([{"item_id": insulin, "quantity": 4}]));
        let lines: Vec<(i64, i64, String)> = usage["dispensations"].as_array().unwrap().iter()
            .map(|d| (d["lot_id"].as_i64().unwrap(), d["quantity"].as_i64().unwrap(), d["kind"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(lines, vec![(early, 3, "dispense".into()), (late, 2, "dispense".into()), (late, -1, "return".into())]);
        let yesterday = days_from_today(-1);
        let before = json_of(app.get(&format!("/api/v1/patients/{patient}/usage?to={yesterday}")).await, 200).await;
        assert_eq!(before["totals"], json!([]));

        // The same as CSV, parsed back.
        let csv = app.client.get(app.url(&format!("/api/v1/patients/{patient}/usage"))).bearer_auth(&app.admin_token)
            .header("accept", "text/csv").send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let rows = parse_csv(&csv.text().await.unwrap());
        assert_eq!(rows[0], vec!["movement_id", "kind", "dispensed_at", "item_id", "item_code", "item_name", "lot_id", "lot_number", "quantity"]);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1][7], "E, 1");
        assert_eq!(rows[2][7], "L\"2");
        assert_eq!(rows[1][5], "Insuman Implantable 400 IU/ml, 10 ml vial");
        let total: i64 = rows[1..].iter().map(|r| r[8].parse::<i64>().unwrap()).sum();
        assert_eq!(total, 4);

        // The cross-patient report, JSON and CSV.
        let report = json_of(app.get("/api/v1/reports/usage").await, 200).await;
        assert_eq!(report["by_item"], json!([{"item_id": insulin, "quantity": 5}]));
        assert_eq!(report["by_patient"].as_array().unwrap().len(), 2);
        let csv = app.client.get(app.url("/api/v1/reports/usage")).bearer_auth(&app.admin_token)
            .header("accept", "text/csv").send().await.unwrap().text().await.unwrap();
        let rows = parse_csv(&csv);
        assert_eq!(rows[1][..4], ["1".to_owned(), "MIP-1".into(), insulin.to_string(), "INS-400-10ML".into()]);
        assert_eq!(rows[1][5], "4");
        assert_eq!(rows[2][1], "MIP-2");

        problem_of(app.get("/api/v1/patients/999/usage").await, 404, "not-found").await;
        let empty = json_of(app.get("/api/v1/reports/usage?from=2026-02-01&to=2026-01-01").await, 200).await;
        assert_eq!(empty["by_item"], json!([]));
        problem_of(app.get("/api/v1/reports/usage?from=yesterday").await, 400, "malformed-request").await;
    }

    async fn recall_lists_every_patient_holding_the_lot(app) {

        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let fridge = app.location("FRIDGE").await;
        let a = app.lot_patients(&["MIP-A", "MIP-B", "MIP-C", "MIP-D"]).await;
        let recalled = app.receive(store, insulin, "R-1", &days_from_today(30), 6).await;
        let other = app.receive(store, insulin, "O-1", &days_from_today(60), 20).await;
        // A: 4 over two lines (split across lots by FEFO), B: 2 via a transfer then dispense,
        // C: 1 then returned, D: another lot only.
        dispense(&app, store, a[0], json!([{"item_id": insulin, "quantity": 2}, {"item_id": insulin, "quantity": 1}])).await;
        let transfer = json!({"kind": "transfer", "location_id": store, "to_location_id": fridge, "lines": [{"item_id": insulin, "lot_id": recalled, "quantity": 2}]});
        json_of(app.post("/api/v1/movements", &transfer).await, 201).await;
        dispense(&app, fridge, a[1], json!([{"item_id": insulin, "quantity": 2}])).await;
        let c = dispense(&app, store, a[2], json!([{"item_id": insulin, "lot_id": recalled, "quantity": 1}])).await;
        assert_eq!(c["lines"][0]["lot_id"], recalled);
        let back = json!({"kind": "return", "location_id": store, "patient_id": a[2], "lines": [{"item_id": insulin, "lot_id": recalled, "quantity": 1}]});
        json_of(app.post("/api/v1/movements", &back).await, 201).await;
        dispense(&app, store, a[0], json!([{"item_id": insulin, "quantity": 2}])).await;
        dispense(&app, store, a[3], json!([{"item_id": insulin, "lot_id": other, "quantity": 1}])).await;

        let recipients = json_of(app.get(&format!("/api/v1/lots/{recalled}/recipients")).await, 200).await;
        let rows: Vec<(String, i64, usize)> = recipients["data"].as_array().unwrap().iter()
            .map(|r| (r["patient_reference"].as_str().unwrap().to_owned(), r["quantity"].as_i64().unwrap(), r["dispensations"].as_array().unwrap().len()))
            .collect();
        // Cross-check against the ledger lines of the lot.
        let ledger = json_of(app.get(&format!("/api/v1/movements?lot_id={recalled}&kind=dispense&limit=500")).await, 200).await;
        let mut from_ledger: std::collections::BTreeMap<i64, i64> = Default::default();
        for m in ledger["data"].as_array().unwrap() {
            for l in m["lines"].as_array().unwrap().iter().filter(|l| l["lot_id"] == recalled) {
                *from_ledger.entry(m["patient_id"].as_i64().unwrap()).or_default() -= l["delta"].as_i64().unwrap();
            }
        }
        *from_ledger.get_mut(&a[2]).unwrap() -= 1;
        from_ledger.retain(|_, q| *q > 0);
        let listed: std::collections::BTreeMap<i64, i64> = recipients["data"].as_array().unwrap().iter()
            .map(|r| (r["patient_id"].as_i64().unwrap(), r["quantity"].as_i64().unwrap())).collect();
        assert_eq!(listed, from_ledger, "{rows:?}");
        assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), vec!["MIP-A", "MIP-B"]);
        // A: 2 + 1 on two lines of the first dispense, then 1 more when FEFO split the last one
        // across R-1 (the unit C returned) and O-1. C returned all they got.
        assert_eq!(rows[0], ("MIP-A".to_owned(), 4, 2));
        assert_eq!(rows[1], ("MIP-B".to_owned(), 2, 1));
        let paged = json_of(app.get(&format!("/api/v1/lots/{recalled}/recipients?limit=1")).await, 200).await;
        assert_eq!(paged["data"].as_array().unwrap().len(), 1);
        let next = json_of(app.get(&format!("/api/v1/lots/{recalled}/recipients?limit=1&cursor={}", paged["next_cursor"].as_str().unwrap())).await, 200).await;
        assert_eq!(next["data"][0]["patient_reference"], "MIP-B");
        assert!(next["next_cursor"].is_null());
        problem_of(app.get("/api/v1/lots/999/recipients").await, 404, "not-found").await;
    }

    async fn a_refill_consumes_its_bundle_atomically_and_moves_the_next_refill(app) {

        let insulin = app.seeded.insulin;

        let fill_kit = app.seeded.fill_kit;

        let buffer = app.seeded.buffer;
        let fridge = app.location("FRIDGE").await;
        let patient = json_of(app.post("/api/v1/patients", &json!({"reference": "MIP-9", "refill_interval_days": 40})).await, 201).await;
        let id = patient["id"].as_i64().unwrap();
        let procedures = json_of(app.get("/api/v1/procedures").await, 200).await;
        let refill = procedures["data"].as_array().unwrap().iter().find(|p| p["code"] == "refill").unwrap().clone();
        assert_eq!(refill["lines"], json!([{"item_id": fill_kit, "quantity": 1}, {"item_id": buffer, "quantity": 1}, {"item_id": insulin, "quantity": 2}]));
        let codes: Vec<&str> = procedures["data"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
        assert_eq!(codes, vec!["catheter_change", "naoh_rinse", "refill"]);

        app.receive_days_ago(2, fridge, fill_kit, "K", &days_from_today(100), 2).await;
        app.receive_days_ago(2, fridge, buffer, "B", &days_from_today(100), 2).await;
        app.receive_days_ago(2, fridge, insulin, "I", &days_from_today(100), 1).await;
        // One vial short: nothing is written, the refill date does not move.
        let body = json!({"procedure": "refill", "location_id": fridge});
        let problem = problem_of(app.post(&format!("/api/v1/patients/{id}/procedures"), &body).await, 409, "insufficient-stock").await;
        assert_eq!(problem["shortage"]["item_id"], insulin);
        assert_eq!(app.available(fill_kit, fridge).await, 2);
        assert_eq!(app.available(buffer, fridge).await, 2);
        assert!(json_of(app.get(&format!("/api/v1/patients/{id}")).await, 200).await["next_refill_on"].is_null());

        app.receive_days_ago(2, fridge, insulin, "I", &days_from_today(100), 3).await;
        let occurred = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
        let body = json!({"procedure": "refill", "location_id": fridge, "occurred_at": occurred, "lines": [{"item_id": insulin, "quantity": 3}]});
        let movement = json_of(app.post(&format!("/api/v1/patients/{id}/procedures"), &body).await, 201).await;
        assert_eq!(movement["kind"], "dispense");
        assert_eq!(movement["procedure"], "refill");
        assert_eq!(movement["patient_id"], id);
        let taken: Vec<(i64, i64)> = movement["lines"].as_array().unwrap().iter().map(|l| (l["item_id"].as_i64().unwrap(), l["delta"].as_i64().unwrap())).collect();
        assert_eq!(taken, vec![(fill_kit, -1), (buffer, -1), (insulin, -3)]);
        let patient = json_of(app.get(&format!("/api/v1/patients/{id}")).await, 200).await;
        assert_eq!(patient["next_refill_on"], days_from_today(39));

        // A rinse does not move the refill date; an unknown procedure is refused.
        json_of(app.put("/api/v1/procedures/naoh_rinse", &json!({"name": "Rinse", "lines": [{"item_id": buffer, "quantity": 1}]})).await, 200).await;
        json_of(app.post(&format!("/api/v1/patients/{id}/procedures"), &json!({"procedure": "naoh_rinse", "location_id": fridge})).await, 201).await;
        assert_eq!(json_of(app.get(&format!("/api/v1/patients/{id}")).await, 200).await["next_refill_on"], days_from_today(39));
        problem_of(app.post(&format!("/api/v1/patients/{id}/procedures"), &json!({"procedure": "transplant", "location_id": fridge})).await, 422, "validation-failed").await;
        problem_of(app.post("/api/v1/patients/999/procedures", &json!({"procedure": "refill", "location_id": fridge})).await, 404, "not-found").await;
    }

    async fn procedures_are_defined_and_validated(app) {

        let fill_kit = app.seeded.fill_kit;

        let buffer = app.seeded.buffer;
        let created = app.put("/api/v1/procedures/pump_check", &json!({"name": "Pump check", "lines": [{"item_id": buffer, "quantity": 1}]})).await;
        assert_eq!(created.status().as_u16(), 201);
        let replaced = json_of(app.put("/api/v1/procedures/pump_check", &json!({"name": "Pump check v2", "lines": [{"item_id": fill_kit, "quantity": 2}]})).await, 200).await;
        assert_eq!(replaced["lines"], json!([{"item_id": fill_kit, "quantity": 2}]));
        for (code, body) in [
            ("Bad Code", json!({"name": "x", "lines": [{"item_id": 1, "quantity": 1}]})),
            ("ok", json!({"name": "x", "lines": []})),
            ("ok", json!({"name": "x", "lines": [{"item_id": 999, "quantity": 1}]})),
            ("ok", json!({"name": "x", "lines": [{"item_id": 1, "quantity": 0}]})),
            ("ok", json!({"name": "x", "lines": [{"item_id": 1, "quantity": 1}, {"item_id": 1, "quantity": 2}]})),
        ] {
            problem_of(app.put(&format!("/api/v1/procedures/{}", code.replace(' ', "%20")), &body).await, 422, "validation-failed").await;
        }
        let (_, viewer) = app.token("screen", "viewer").await;
        let r = app.send(reqwest::Method::PUT, "/api/v1/procedures/refill", Some(&viewer), Some(&json!({"name": "x", "lines": [{"item_id": 1, "quantity": 1}]}))).await;
        problem_of(r, 403, "forbidden").await;
        assert_eq!(json_of(app.get("/api/v1/procedures").await, 200).await["data"].as_array().unwrap().len(), 4);
    }
}
