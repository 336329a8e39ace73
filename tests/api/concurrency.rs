//! Many clients at once, over real HTTP: stock never goes negative and nothing is applied twice.

use std::time::Instant;

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{both_backends, days_from_today, json_of};

both_backends! {
    async fn fifty_dispenses_of_twenty_units_leave_exactly_zero(app) {
        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        // Two lots of 10, so FEFO moves from one to the other under contention.
        app.receive(store, fill_kit, "A", &days_from_today(60), 10).await;
        app.receive(store, fill_kit, "B", &days_from_today(90), 10).await;
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 1}]});
        let started = Instant::now();
        let responses = join_all((0..50).map(|_| app.post("/api/v1/movements", &body))).await;
        let elapsed = started.elapsed();
        let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 20, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 30, "{statuses:?}");
        assert_eq!(app.available(fill_kit, store).await, 0);
        app.assert_verified();
        eprintln!("50 concurrent dispenses: {} ms", elapsed.as_millis());
    }

    async fn concurrent_transfers_and_dispenses_never_oversell(app) {

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let ward = app.location("WARD").await;
        let patient = app.patient("MIP-1").await;
        let lot = app.receive(store, fill_kit, "A", &days_from_today(60), 20).await;
        let dispense = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 1}]});
        let transfer = json!({"kind": "transfer", "location_id": store, "to_location_id": ward, "lines": [{"item_id": fill_kit, "lot_id": lot, "quantity": 1}]});
        let back = json!({"kind": "transfer", "location_id": ward, "to_location_id": store, "lines": [{"item_id": fill_kit, "quantity": 1}]});
        let started = Instant::now();
        let requests = (0..60).map(|i| match i % 3 {
            0 => app.post("/api/v1/movements", &dispense),
            1 => app.post("/api/v1/movements", &transfer),
            _ => app.post("/api/v1/movements", &back),
        });
        let responses = join_all(requests).await;
        let elapsed = started.elapsed();
        for r in &responses {
            assert!(matches!(r.status().as_u16(), 201 | 409), "{}", r.status());
        }
        let at_store = app.available(fill_kit, store).await;
        let at_ward = app.available(fill_kit, ward).await;
        let dispensed = json_of(app.get("/api/v1/movements?kind=dispense&limit=500").await, 200).await["data"].as_array().unwrap().len() as i64;
        assert!(at_store >= 0 && at_ward >= 0);
        assert_eq!(at_store + at_ward + dispensed, 20, "every unit accounted for");
        app.assert_verified();
        eprintln!("60 concurrent mixed movements: {} ms", elapsed.as_millis());
    }

    async fn concurrent_repeats_of_one_idempotency_key_apply_once(app) {

        let fill_kit = app.seeded.fill_kit;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(store, fill_kit, "A", &days_from_today(60), 20).await;
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": fill_kit, "quantity": 3}]});
        let send = || app.client.post(app.url("/api/v1/movements")).bearer_auth(&app.admin_token).header("idempotency-key", "same").json(&body).send();
        let responses = join_all((0..10).map(|_| send())).await;
        let mut ids = Vec::new();
        for r in responses {
            let r = r.unwrap();
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap();
            match status {
                201 => ids.push(body["id"].as_i64().unwrap()),
                // A repeat that arrives while the first is in flight may be told so.
                409 => assert!(body["type"].as_str().unwrap().ends_with("/idempotency-key-reused"), "{body}"),
                other => panic!("unexpected {other}: {body}"),
            }
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "one movement, replayed: {ids:?}");
        assert_eq!(app.available(fill_kit, store).await, 17);
    }
}
