//! The cold chain (API.md, "Cold chain"): a fridge that got warm holds its refrigerated units,
//! only there, until a pharmacist releases or destroys them; the alert and its email.

use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of, spawn_app_with, TestApp};
use crate::smtp::{smtp_settings, SmtpServer};

async fn stock(app: &TestApp, item: i64, location: i64) -> Value {
    json_of(
        app.get(&format!("/api/v1/stock?item_id={item}&location_id={location}"))
            .await,
        200,
    )
    .await["data"][0]
        .clone()
}

fn hours_ago(hours: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::hours(hours)).to_rfc3339()
}

both_backends! {
    async fn an_excursion_holds_the_fridge_only_until_a_pharmacist_decides(app) {
        let smtp = SmtpServer::start();
        let app = spawn_app_with(app.backend(), smtp_settings(smtp.port)).await.unwrap();
        let insulin = app.seeded.insulin;
        let fridge = app.location("WARD-FRIDGE").await;
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-COLD-1").await;
        // Lot A in the ward fridge and in the store; lot B only in the ward fridge; kits (room
        // temperature) in the ward too.
        let lot_a = app.receive(fridge, insulin, "COLD-A", &days_from_today(200), 6).await;
        app.receive(store, insulin, "COLD-A", &days_from_today(200), 10).await;
        let lot_b = app.receive(fridge, insulin, "COLD-B", &days_from_today(300), 4).await;
        app.receive(fridge, app.seeded.fill_kit, "KIT-1", &days_from_today(300), 5).await;
        let before = json_of(app.get(&format!("/api/v1/forecast?item_id={insulin}")).await, 200).await["data"][0]["available"].as_f64().unwrap();
        assert_eq!(before, 20.0);

        let body = json!({"started_at": hours_ago(6), "ended_at": hours_ago(2), "max_temperature_c": 14.5, "min_temperature_c": 6.0, "note": "door left open"});
        let excursion = json_of(app.post(&format!("/api/v1/locations/{fridge}/excursions"), &body).await, 201).await;
        let id = excursion["id"].as_i64().unwrap();
        assert_eq!(excursion["open"], true);
        let held: Vec<(i64, i64, Value)> = excursion["held"].as_array().unwrap().iter()
            .map(|h| (h["lot_id"].as_i64().unwrap(), h["quantity"].as_i64().unwrap(), h["decision"].clone())).collect();
        assert_eq!(held, vec![(lot_a, 6, Value::Null), (lot_b, 4, Value::Null)], "insulin only, not the kits");

        // Held units are quarantined in the fridge's stock row, out of FEFO and of the forecast;
        // the same lot in the store is untouched.
        let ward = stock(&app, insulin, fridge).await;
        assert_eq!((ward["available"].as_i64(), ward["quarantined"].as_i64(), ward["on_hand"].as_i64()), (Some(0), Some(10), Some(10)));
        assert_eq!(stock(&app, insulin, store).await["available"], 10);
        assert_eq!(stock(&app, app.seeded.fill_kit, fridge).await["available"], 5);
        let after = json_of(app.get(&format!("/api/v1/forecast?item_id={insulin}")).await, 200).await["data"][0]["available"].as_f64().unwrap();
        assert_eq!(after, 10.0);
        let short = app.dispense(fridge, patient, json!([{"item_id": insulin, "quantity": 1}])).await;
        problem_of(short, 409, "insufficient-stock").await;
        let named = app.dispense(fridge, patient, json!([{"item_id": insulin, "lot_id": lot_a, "quantity": 1}])).await;
        problem_of(named, 409, "insufficient-stock").await;
        let moved = app.post("/api/v1/movements", &json!({"kind": "transfer", "location_id": fridge, "to_location_id": store, "lines": [{"item_id": insulin, "lot_id": lot_b, "quantity": 1}]})).await;
        problem_of(moved, 409, "insufficient-stock").await;
        json_of(app.dispense(store, patient, json!([{"item_id": insulin, "lot_id": lot_a, "quantity": 1}])).await, 201).await;

        // One alert, emailed: the fridge, the readings, what is held.
        let alerts = json_of(app.get("/api/v1/alerts?kind=cold_chain_excursion").await, 200).await;
        let alert = &alerts["data"][0];
        assert_eq!((alert["state"].as_str(), alert["excursion_id"].as_i64(), alert["location_id"].as_i64(), alert["quantity"].as_i64()), (Some("open"), Some(id), Some(fridge), Some(10)));
        let mail = smtp.wait_for(1).await;
        let cold: Vec<_> = mail.iter().filter(|m| m.subject.starts_with("Cold chain excursion")).collect();
        assert_eq!(cold.len(), 1, "{:?}", mail.iter().map(|m| &m.subject).collect::<Vec<_>>());
        assert!(cold[0].subject.contains("reached 14.5 °C — 10 vials of Insuman"), "{}", cold[0].subject);
        assert!(cold[0].raw.contains("COLD-B: 4 vials"), "{}", cold[0].raw);

        // Release lot A: usable again. Destroy lot B: a waste movement, cold_chain_breach.
        let decisions = format!("/api/v1/excursions/{id}/decisions");
        let released = json_of(app.post(&decisions, &json!({"lot_id": lot_a, "decision": "release", "note": "stability data: fine below 25 °C for 4 h"})).await, 200).await;
        assert_eq!((released["open"].as_bool(), released["held"][0]["decision"].as_str()), (Some(true), Some("released")));
        assert_eq!(stock(&app, insulin, fridge).await["available"], 6);
        problem_of(app.post(&decisions, &json!({"lot_id": lot_a, "decision": "destroy"})).await, 409, "already-decided").await;
        let destroyed = json_of(app.post(&decisions, &json!({"lot_id": lot_b, "decision": "destroy"})).await, 200).await;
        assert_eq!((destroyed["open"].as_bool(), destroyed["held"][1]["decision"].as_str()), (Some(false), Some("destroyed")));
        let waste = json_of(app.get(&format!("/api/v1/movements/{}", destroyed["held"][1]["movement_id"])).await, 200).await;
        assert_eq!((waste["kind"].as_str(), waste["reason"].as_str(), waste["lines"][0]["delta"].as_i64()), (Some("waste"), Some("cold_chain_breach"), Some(-4)));
        let ward = stock(&app, insulin, fridge).await;
        assert_eq!((ward["available"].as_i64(), ward["quarantined"].as_i64(), ward["on_hand"].as_i64()), (Some(6), Some(0), Some(6)));
        let alerts = json_of(app.get("/api/v1/alerts?kind=cold_chain_excursion").await, 200).await;
        assert_eq!(alerts["data"][0]["state"], "resolved");
        let listed = json_of(app.get(&format!("/api/v1/excursions?location_id={fridge}&open=false")).await, 200).await;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1);
        assert_eq!(json_of(app.get("/api/v1/excursions?open=true").await, 200).await["data"], json!([]));
        app.assert_verified();
    }

    async fn a_report_that_is_no_excursion_or_names_nothing_changes_nothing(app) {
        let fridge = app.location("WARD-FRIDGE").await;
        app.receive(fridge, app.seeded.insulin, "COLD-C", &days_from_today(200), 3).await;
        let path = format!("/api/v1/locations/{fridge}/excursions");
        for (body, field) in [
            (json!({"started_at": hours_ago(3), "max_temperature_c": 7.5}), "max_temperature_c"),
            (json!({"started_at": hours_ago(3), "max_temperature_c": 12.0, "min_temperature_c": 13.0}), "min_temperature_c"),
            (json!({"started_at": hours_ago(3), "ended_at": hours_ago(5), "max_temperature_c": 12.0}), "ended_at"),
            (json!({"started_at": hours_ago(-3), "max_temperature_c": 12.0}), "started_at"),
        ] {
            let problem = problem_of(app.post(&path, &body).await, 422, "validation-failed").await;
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
        problem_of(app.post("/api/v1/locations/999999/excursions", &json!({"started_at": hours_ago(3), "max_temperature_c": 12.0})).await, 404, "not-found").await;
        assert_eq!(json_of(app.get("/api/v1/excursions").await, 200).await["data"], json!([]));
        assert_eq!(stock(&app, app.seeded.insulin, fridge).await["available"], 3);
        let excursion = json_of(app.post(&path, &json!({"started_at": hours_ago(3), "max_temperature_c": 12.0})).await, 201).await;
        let decisions = format!("/api/v1/excursions/{}/decisions", excursion["id"]);
        let problem = problem_of(app.post(&decisions, &json!({"lot_id": 999999, "decision": "release"})).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "lot_id");
        problem_of(app.post(&decisions, &json!({"lot_id": 1, "decision": "keep"})).await, 422, "validation-failed").await;
        problem_of(app.post("/api/v1/excursions/999999/decisions", &json!({"lot_id": 1, "decision": "release"})).await, 404, "not-found").await;
        app.assert_verified();
    }
}
