//! Hostile input: every refusal is a 4xx problem document, nothing is written, the service
//! keeps answering.

use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of};

async fn counts(app: &crate::helpers::TestApp) -> (usize, usize, usize, usize) {
    let n = |v: Value| v["data"].as_array().unwrap().len();
    (
        n(json_of(app.get("/api/v1/items?limit=500").await, 200).await),
        n(json_of(app.get("/api/v1/movements?limit=500").await, 200).await),
        n(json_of(app.get("/api/v1/patients?limit=500").await, 200).await),
        n(json_of(app.get("/api/v1/audit?limit=500").await, 200).await),
    )
}

both_backends! {
    async fn hostile_bodies_are_refused_without_a_trace(app) {
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(store, 1, "L1", &days_from_today(100), 5).await;
        let before = counts(&app).await;
        let nested = format!("{}1{}", "{\"a\":".repeat(5000), "}".repeat(5000));
        let receipt = |line: Value| json!({"kind": "receipt", "location_id": store, "lines": [line]}).to_string();
        let dispense = |quantity: Value| json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": 1, "quantity": quantity}]}).to_string();
        let cases: Vec<(&str, Vec<u8>, u16)> = vec![
            ("/api/v1/items", vec![b'{'; 70_000], 413),
            ("/api/v1/items", nested.clone().into_bytes(), 422),
            ("/api/v1/movements", dispense(json!(0)).into_bytes(), 422),
            ("/api/v1/movements", dispense(json!(-3)).into_bytes(), 422),
            ("/api/v1/movements", dispense(json!(4_000_000_000u64)).into_bytes(), 422),
            ("/api/v1/movements", dispense(json!(1e30)).into_bytes(), 422),
            ("/api/v1/movements", br#"{"kind":"dispense","location_id":1,"patient_id":1,"lines":[{"item_id":99999999999999999999999,"quantity":1}]}"#.to_vec(), 422),
            ("/api/v1/movements", receipt(json!({"item_id": 1, "quantity": 1, "lot_number": "x".repeat(65), "expires_on": days_from_today(10)})).into_bytes(), 422),
            ("/api/v1/movements", receipt(json!({"item_id": 1, "quantity": 1, "lot_number": "L\u{0007}", "expires_on": days_from_today(10)})).into_bytes(), 422),
            ("/api/v1/movements", receipt(json!({"item_id": 1, "quantity": 1, "lot_number": "L", "expires_on": "2027-02-30"})).into_bytes(), 422),
            ("/api/v1/movements", receipt(json!({"item_id": 1, "quantity": 1, "lot_number": "L", "expires_on": "+275760-01-01"})).into_bytes(), 422),
            ("/api/v1/movements", json!({"kind": "dispense", "occurred_at": "0000-01-01T00:00:00Z", "location_id": store, "patient_id": patient, "lines": [{"item_id": 1, "quantity": 1}]}).to_string().into_bytes(), 422),
            ("/api/v1/movements", json!({"kind": "DISPENSE", "location_id": store, "lines": []}).to_string().into_bytes(), 422),
            ("/api/v1/movements", br#"{"kind":"dispense","kind":"receipt","location_id":1,"lines":[]}"#.to_vec(), 422),
            ("/api/v1/items", b"{\"code\":\"A\xff\xfe\",\"name\":\"x\",\"category\":\"other\",\"unit\":\"box\"}".to_vec(), 400),
            ("/api/v1/items", json!({"code": "X'; DROP TABLE items;--", "name": "x", "category": "other", "unit": "box"}).to_string().into_bytes(), 422),
            ("/api/v1/items", json!({"code": "OK", "name": "n".repeat(201), "category": "other", "unit": "box"}).to_string().into_bytes(), 422),
            ("/api/v1/patients", json!({"reference": "P-1", "name": "Jean Dupont"}).to_string().into_bytes(), 422),
            ("/api/v1/patients", json!({"reference": "P-1", "notes": "n".repeat(2001)}).to_string().into_bytes(), 422),
            ("/api/v1/locations", b"null".to_vec(), 422),
            ("/api/v1/locations", b"".to_vec(), 400),
            ("/api/v1/locations", b"[]".to_vec(), 422),
        ];
        for (path, body, status) in cases {
            let response = app.client.post(app.url(path)).bearer_auth(&app.admin_token)
                .header("content-type", "application/json").body(body.clone()).send().await.unwrap();
            let got = response.status().as_u16();
            let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
            let text = response.text().await.unwrap();
            assert_eq!(got, status, "{path} {}: {text}", String::from_utf8_lossy(&body[..body.len().min(120)]));
            assert_eq!(content_type.as_deref(), Some("application/problem+json"));
            let problem: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(problem["status"], status);
        }
        // SQL-looking text where free text is allowed is stored verbatim and harms nothing.
        let sql = "'); DROP TABLE patients; --";
        let created = json_of(app.post("/api/v1/patients", &json!({"reference": "MIP-SQL", "notes": sql})).await, 201).await;
        assert_eq!(created["notes"], sql);
        let found = json_of(app.get("/api/v1/items?q=%27%3B%20DROP%20TABLE%20items%3B--").await, 200).await;
        assert!(found["data"].as_array().unwrap().is_empty());
        problem_of(app.get("/api/v1/movements?from=2026-13-01").await, 400, "malformed-request").await;
        problem_of(app.get("/api/v1/items?limit=99999999999999999999").await, 400, "malformed-request").await;

        let after = counts(&app).await;
        assert_eq!((after.0, after.1), (before.0, before.1), "nothing written by the refusals");
        assert_eq!(after.2, before.2 + 1, "only the deliberate patient");
        assert_eq!(after.3, before.3 + 1);
        assert_eq!(json_of(app.client.get(app.url("/healthz")).send().await.unwrap(), 200).await["status"], "ok");
        app.assert_verified();
    }
}
