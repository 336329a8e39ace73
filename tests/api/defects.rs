//! Regression tests for defects found from outside, by a hostile integration; each runs on
//! both databases.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of};

fn iso_days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339()
}

both_backends! {
    async fn a_dispensation_returned_cannot_also_be_reversed(app) {
        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, fill_kit, "K", &days_from_today(200), 3).await;
        let dispensed = json_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "quantity": 3}])).await, 201).await;
        let back = json!({"kind": "return", "location_id": store, "patient_id": patient,
            "lines": [{"item_id": fill_kit, "lot_id": lot, "quantity": 3}]});
        json_of(app.post("/api/v1/movements", &back).await, 201).await;
        let reverse = format!("/api/v1/movements/{}/reverse", dispensed["id"]);
        let problem = problem_of(app.post(&reverse, &json!({})).await, 409, "return-exceeds-dispensed").await;
        assert!(problem["detail"].as_str().unwrap().contains("holds only 0"), "{problem}");
        assert_eq!(app.available(fill_kit, store).await, 3, "no phantom stock");
        let usage = json_of(app.get(&format!("/api/v1/patients/{patient}/usage")).await, 200).await;
        assert_eq!(usage["totals"], json!([{"item_id": fill_kit, "quantity": 0}]), "the patient holds nothing, never less");
        app.assert_verified();

        // A partial return leaves the rest of the dispensation reversible only for what is held.
        let again = json_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "quantity": 2}])).await, 201).await;
        let one_back = json!({"kind": "return", "location_id": store, "patient_id": patient,
            "lines": [{"item_id": fill_kit, "lot_id": lot, "quantity": 1}]});
        json_of(app.post("/api/v1/movements", &one_back).await, 201).await;
        problem_of(app.post(&format!("/api/v1/movements/{}/reverse", again["id"]), &json!({})).await, 409, "return-exceeds-dispensed").await;
        app.assert_verified();
    }

    async fn verify_reports_a_patient_holding_less_than_nothing(app) {

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, fill_kit, "K", &days_from_today(200), 3).await;
        json_of(app.dispense(store, patient, json!([{"item_id": fill_kit, "quantity": 1}])).await, 201).await;
        app.assert_verified();
        // What the API refuses, written behind its back: a return of 2 when 1 was dispensed.
        app.execute_sql(&format!(
            "INSERT INTO movements (kind, occurred_at, recorded_at, location_id, patient_id, actor_name, actor_role) \
             VALUES ('return', '2026-11-20 10:00:00', '2026-11-20 10:00:00', {store}, {patient}, 'intruder', 'admin'); \
             INSERT INTO movement_lines (movement_id, line_index, item_id, lot_id, location_id, delta) \
             VALUES ((SELECT MAX(id) FROM movements), 0, {fill_kit}, {lot}, {store}, 2); \
             UPDATE balances SET quantity = quantity + 2 WHERE lot_id = {lot} AND location_id = {store};"
        ));
        let (clean, report) = app.verify();
        assert!(!clean);
        assert!(report.contains(&format!("patient {patient} holds -1 unit(s) of lot {lot}")), "{report}");
    }

    async fn concurrent_returns_take_back_only_what_the_patient_holds(app) {

        let fill_kit = app.seeded.fill_kit;
        let locations = [app.location("A").await, app.location("B").await, app.location("C").await];
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(locations[0], fill_kit, "K", &days_from_today(200), 1).await;
        json_of(app.dispense(locations[0], patient, json!([{"item_id": fill_kit, "quantity": 1}])).await, 201).await;
        for _round in 0..3 {
            let returns = locations.iter().map(|location| {
                let body = json!({"kind": "return", "location_id": location, "patient_id": patient,
                    "lines": [{"item_id": fill_kit, "lot_id": lot, "quantity": 1}]});
                let request = app.client.post(app.url("/api/v1/movements")).bearer_auth(&app.admin_token).json(&body);
                async move { request.send().await.unwrap().status().as_u16() }
            });
            let mut statuses = join_all(returns).await;
            statuses.sort();
            assert_eq!(statuses, vec![201, 409, 409]);
            // Dispense it again for the next round.
            let at = json_of(app.get(&format!("/api/v1/stock?item_id={fill_kit}&by=location")).await, 200).await;
            let holder = at["data"].as_array().unwrap().iter().find(|r| r["on_hand"] == 1).unwrap()["location_id"].as_i64().unwrap();
            json_of(app.dispense(holder, patient, json!([{"item_id": fill_kit, "quantity": 1}])).await, 201).await;
        }
        app.assert_verified();
    }

    async fn concurrent_reversals_give_one_reversal_and_conflicts(app) {

        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        app.receive(store, insulin, "A", &days_from_today(200), 10).await;
        let receipt = json_of(app.get("/api/v1/movements?kind=receipt").await, 200).await["data"][0]["id"].as_i64().unwrap();
        let reversals = (0..10).map(|_| {
            let request = app.client.post(app.url(&format!("/api/v1/movements/{receipt}/reverse"))).bearer_auth(&app.admin_token).json(&json!({}));
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            }
        });
        let answers = join_all(reversals).await;
        assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "{answers:?}");
        for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
            assert_eq!(*status, 409, "{body}");
            assert!(body["type"].as_str().unwrap().ends_with("/already-reversed"), "{body}");
        }
        assert_eq!(app.available(insulin, store).await, 0);
        app.assert_verified();
    }

    async fn concurrent_identical_threshold_puts_are_one_upsert(app) {

        let insulin = app.seeded.insulin;
        let body = json!({"item_id": insulin, "location_id": null, "reorder_point": 10, "reorder_quantity": 20});
        let puts = (0..10).map(|_| {
            let request = app.client.put(app.url("/api/v1/thresholds")).bearer_auth(&app.admin_token).json(&body);
            async move { request.send().await.unwrap().status().as_u16() }
        });
        let statuses = join_all(puts).await;
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 201), "{statuses:?}");
        let listed = json_of(app.get("/api/v1/thresholds").await, 200).await;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    }

    async fn usage_csv_cells_never_start_a_formula(app) {
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let item = json_of(app.post("/api/v1/items", &json!({"code": "EVIL", "name": "=cmd|'/C calc'!A0", "category": "other", "unit": "box"})).await, 201).await;
        let item = item["id"].as_i64().unwrap();
        app.receive(store, item, "=1+2", &days_from_today(100), 2).await;
        json_of(app.dispense(store, patient, json!([{"item_id": item, "quantity": 2}])).await, 201).await;
        for path in [format!("/api/v1/patients/{patient}/usage"), "/api/v1/reports/usage".to_owned()] {
            let csv = app.client.get(app.url(&path)).bearer_auth(&app.admin_token).header("accept", "text/csv").send().await.unwrap().text().await.unwrap();
            assert!(csv.contains("'=cmd|'/C calc'!A0"), "{csv}");
            for line in csv.lines() {
                for cell in line.split(',') {
                    assert!(!cell.trim_start_matches('"').starts_with(['=', '+', '@']), "formula cell {cell:?} in {csv}");
                }
            }
        }
    }

    async fn dates_are_exactly_year_month_day(app) {

        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let receipt = json!({"kind": "receipt", "location_id": store, "lines": [{"item_id": insulin, "lot_number": "Y10K", "expires_on": "+10000-01-01", "quantity": 1}]});
        let problem = problem_of(app.post("/api/v1/movements", &receipt).await, 422, "validation-failed").await;
        assert!(problem["errors"][0]["field"].as_str().unwrap().contains("expires_on"), "{problem}");
        problem_of(app.get("/api/v1/lots?expires_before=%2B10000-01-01").await, 400, "malformed-request").await;
        assert_eq!(json_of(app.get("/api/v1/movements").await, 200).await["data"], json!([]));
    }

    async fn invented_methods_share_one_metrics_label(app) {
        for i in 0..40 {
            let method = Method::from_bytes(format!("RT{i}").as_bytes()).unwrap();
            let status = app.client.request(method, app.url("/healthz")).send().await.unwrap().status().as_u16();
            assert_eq!(status, 405);
        }
        let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(!metrics.contains("RT1"), "an invented method became a label");
        assert!(metrics.contains(r#"method="other",route="unmatched""#), "{metrics}");
    }

    async fn a_count_names_each_lot_once(app) {

        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let lot = app.receive(store, insulin, "A", &days_from_today(100), 30).await;
        let count = json!({"kind": "count", "location_id": store, "lines": [
            {"item_id": insulin, "lot_id": lot, "counted_quantity": 10},
            {"item_id": insulin, "lot_id": lot, "counted_quantity": 70}]});
        let problem = problem_of(app.post("/api/v1/movements", &count).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "lines[1].lot_id");
        assert_eq!(app.available(insulin, store).await, 30);
    }

    async fn movements_are_not_dated_before_the_shelf(app) {

        let insulin = app.seeded.insulin;

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, insulin, "TODAY", &days_from_today(100), 5).await;
        // Before the lot's first receipt: refused whatever the role.
        let in_2001 = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "occurred_at": "2001-06-01T10:00:00Z",
            "lines": [{"item_id": insulin, "lot_id": lot, "quantity": 1}]});
        let problem = problem_of(app.post("/api/v1/movements", &in_2001).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "lines[0].lot_id");
        let by_fefo = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "occurred_at": iso_days_ago(1),
            "lines": [{"item_id": insulin, "quantity": 1}]});
        let problem = problem_of(app.post("/api/v1/movements", &by_fefo).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "occurred_at");
        // A receipt of the same lot dated earlier moves its first receipt back.
        let earlier = json!({"kind": "receipt", "location_id": store, "occurred_at": iso_days_ago(3),
            "lines": [{"item_id": insulin, "lot_number": "TODAY", "expires_on": days_from_today(100), "quantity": 1}]});
        json_of(app.post("/api/v1/movements", &earlier).await, 201).await;
        json_of(app.post("/api/v1/movements", &by_fefo).await, 201).await;

        // Beyond ledger.max_backdate_days (7): admin only.
        let old = json!({"kind": "receipt", "location_id": store, "occurred_at": iso_days_ago(20),
            "lines": [{"item_id": fill_kit, "lot_number": "OLD", "expires_on": days_from_today(100), "quantity": 5}]});
        json_of(app.post("/api/v1/movements", &old).await, 201).await;
        let (_, pharmacist) = app.token("ward", "pharmacist").await;
        let ten_days_back = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "occurred_at": iso_days_ago(10),
            "lines": [{"item_id": fill_kit, "quantity": 1}]});
        let refused = app.send(Method::POST, "/api/v1/movements", Some(&pharmacist), Some(&ten_days_back)).await;
        let problem = problem_of(refused, 403, "forbidden").await;
        assert!(problem["detail"].as_str().unwrap().contains("max_backdate_days"), "{problem}");
        let six_days_back = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "occurred_at": iso_days_ago(6),
            "lines": [{"item_id": fill_kit, "quantity": 1}]});
        json_of(app.send(Method::POST, "/api/v1/movements", Some(&pharmacist), Some(&six_days_back)).await, 201).await;
        json_of(app.post("/api/v1/movements", &ten_days_back).await, 201).await;
        app.assert_verified();
    }

    async fn head_answers_as_get_without_a_body(app) {
        let health = app.client.head(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        assert!(health.bytes().await.unwrap().is_empty());
        let items = app.client.head(app.url("/api/v1/items")).bearer_auth(&app.admin_token).send().await.unwrap();
        assert_eq!(items.status(), 200);
        assert_eq!(items.headers()["content-type"], "application/json");
        assert!(items.bytes().await.unwrap().is_empty());
        let anonymous = app.client.head(app.url("/api/v1/items")).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
    }

    async fn two_idempotency_keys_are_malformed(app) {
        let body = json!({"code": "OR", "name": "Operating room"});
        let response = app.client.post(app.url("/api/v1/locations")).bearer_auth(&app.admin_token)
            .header("idempotency-key", "a").header("idempotency-key", "b").json(&body).send().await.unwrap();
        problem_of(response, 400, "malformed-request").await;
        assert_eq!(json_of(app.get("/api/v1/locations").await, 200).await["data"], json!([]));
    }

    async fn bidirectional_overrides_are_refused_like_control_characters(app) {

        let insulin = app.seeded.insulin;
        for text in ["Fridge \u{202E}gnorw", "Ward \u{2066}A\u{2069}"] {
            let problem = problem_of(app.post("/api/v1/locations", &json!({"code": "F", "name": text})).await, 422, "validation-failed").await;
            assert_eq!(problem["errors"][0]["field"], "name");
        }
        let store = app.location("STORE").await;
        let note = json!({"kind": "receipt", "location_id": store, "note": "ok\u{202D}",
            "lines": [{"item_id": insulin, "lot_number": "N", "expires_on": days_from_today(100), "quantity": 1}]});
        problem_of(app.post("/api/v1/movements", &note).await, 422, "validation-failed").await;
    }

    async fn a_body_that_trickles_in_gets_408(app) {
        let app = crate::helpers::spawn_app_with(app.backend(), |s| s.server.body_timeout_seconds = 1).await.unwrap();
        let address = app.address.trim_start_matches("http://").to_owned();
        let token = app.admin_token.clone();
        let answer = actix_web::rt::task::spawn_blocking(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
            let head = format!(
                "POST /api/v1/locations HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"code\":"
            );
            stream.write_all(head.as_bytes()).unwrap();
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
            String::from_utf8_lossy(&answer).into_owned()
        })
        .await
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("request-timeout"), "{answer}");
        assert_eq!(json_of(app.get("/api/v1/locations").await, 200).await["data"], json!([]));
    }
}
