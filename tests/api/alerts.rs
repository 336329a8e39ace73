//! Thresholds, alerts and their emails, received by a real SMTP server over TCP.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of, spawn_app_with, Backend, TestApp};
use crate::smtp::{smtp_settings, SmtpServer};

async fn dispense(app: &TestApp, location: i64, patient: i64, quantity: i64) -> Value {
    let lines = json!([{"item_id": app.seeded.insulin, "quantity": quantity}]);
    json_of(app.dispense(location, patient, lines).await, 201).await
}

async fn alerts(app: &TestApp, query: &str) -> Vec<Value> {
    json_of(app.get(&format!("/api/v1/alerts?{query}")).await, 200).await["data"]
        .as_array()
        .unwrap()
        .clone()
}

async fn notifications(app: &TestApp) -> Vec<Value> {
    json_of(app.get("/api/v1/notifications").await, 200).await["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// Lets the email worker run for a while: only to show that something does *not* happen (an
/// absence cannot be awaited); whatever should happen is awaited with `eventually` or
/// `SmtpServer::wait_for`.
async fn settle() {
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
}

/// Waits (up to 20 s) for `check` to hold on the app.
async fn eventually<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "condition not reached in 20 s");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn threshold(app: &TestApp, location: Option<i64>, point: i64, quantity: i64) -> Value {
    let insulin = app.seeded.insulin;
    let body =
        json!({"item_id": insulin, "location_id": location, "reorder_point": point, "reorder_quantity": quantity});
    let response = app.put("/api/v1/thresholds", &body).await;
    let status = response.status().as_u16();
    assert!(status == 200 || status == 201, "{status}");
    response.json().await.unwrap()
}

both_backends! {
    async fn one_email_per_crossing_with_hysteresis(app) {
        let insulin = app.seeded.insulin;
        let smtp = SmtpServer::start();
        let app = spawn_app_with(app.backend(), smtp_settings(smtp.port)).await.unwrap();
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("MIP-42").await;
        app.receive(fridge, insulin, "A", &days_from_today(300), 30).await;
        let t = threshold(&app, Some(fridge), 22, 40).await;
        settle().await;
        assert!(smtp.messages().is_empty(), "30 available, above the point");

        dispense(&app, fridge, patient, 8).await;
        let mail = smtp.wait_for(1).await;
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].subject, "Low stock: Insuman Implantable 400 IU/ml, 10 ml vial — 22 vials available at Location FRIDGE (reorder point 22)");
        assert_eq!(mail[0].to, vec!["pharmacy@hospital.example"]);
        assert!(mail[0].raw.contains("multipart/alternative"));
        assert!(mail[0].raw.contains("Reorder quantity: 40"));
        assert!(mail[0].raw.contains("text/html"));
        let open = alerts(&app, "state=open").await;
        assert_eq!(open.len(), 1);
        assert_eq!((open[0]["kind"].as_str(), open[0]["quantity"].as_i64(), open[0]["threshold"].as_i64()), (Some("low_stock"), Some(22), Some(22)));
        assert_eq!(open[0]["threshold_id"], t["id"]);

        // Still low: no second alert, no second email.
        dispense(&app, fridge, patient, 2).await;
        settle().await;
        assert_eq!(smtp.messages().len(), 1);
        assert_eq!(alerts(&app, "").await.len(), 1);

        // Back above the point: resolved. Crossing again: a new alert and email.
        app.receive(fridge, insulin, "A", &days_from_today(300), 10).await;
        let first = alerts(&app, "").await[0].clone();
        assert_eq!(first["state"], "resolved");
        assert!(first["resolved_at"].is_string());
        dispense(&app, fridge, patient, 10).await;
        assert_eq!(smtp.wait_for(2).await.len(), 2);
        let all = alerts(&app, "kind=low_stock").await;
        assert_eq!(all.len(), 2);
        assert_ne!(all[0]["id"], all[1]["id"]);

        // Out of stock opens beside low stock.
        dispense(&app, fridge, patient, 20).await;
        let mail = smtp.wait_for(3).await;
        assert!(mail[2].subject.starts_with("Out of stock: Insuman Implantable 400 IU/ml, 10 ml vial — none available at Location FRIDGE"), "{}", mail[2].subject);
        assert_eq!(alerts(&app, "state=open").await.len(), 2);
        // The worker records the delivery just after the server has the message.
        eventually(|| async { notifications(&app).await.iter().all(|n| n["status"] == "sent") }).await;
        let log = notifications(&app).await;
        assert_eq!(log.len(), 3);
        assert!(log.iter().all(|n| n["status"] == "sent" && n["attempts"] == 1 && n["recipients"] == json!(["pharmacy@hospital.example"])));
        // No patient identifier ever leaves in an email.
        assert!(smtp.messages().iter().all(|m| !m.raw.contains("MIP-42")));
        let stock = json_of(app.get(&format!("/api/v1/stock?item_id={insulin}&location_id={fridge}")).await, 200).await;
        assert_eq!((stock["data"][0]["reorder_point"].as_i64(), stock["data"][0]["status"].as_str()), (Some(22), Some("out")));
    }

    async fn emails_wait_out_an_smtp_outage_and_go_once(app) {

        let insulin = app.seeded.insulin;
        let port = SmtpServer::free_port();
        let app = spawn_app_with(app.backend(), smtp_settings(port)).await.unwrap();
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(fridge, insulin, "A", &days_from_today(300), 10).await;
        threshold(&app, Some(fridge), 5, 10).await;
        let started = Instant::now();
        dispense(&app, fridge, patient, 6).await;
        assert!(started.elapsed() < Duration::from_secs(5), "the API does not wait for the mail server");
        eventually(|| async { notifications(&app).await.iter().any(|n| n["attempts"].as_i64() >= Some(1) && n["last_error"].is_string()) }).await;
        let queued = notifications(&app).await;
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0]["status"], "queued");
        json_of(app.get("/api/v1/stock").await, 200).await;

        let smtp = SmtpServer::start_on_port(port);
        assert_eq!(smtp.wait_for(1).await.len(), 1);
        eventually(|| async { notifications(&app).await[0]["status"] == "sent" }).await;
        settle().await;
        assert_eq!(smtp.messages().len(), 1, "delivered exactly once");
        assert!(notifications(&app).await[0]["attempts"].as_i64().unwrap() >= 2);
    }

    async fn expiry_scan_raises_expiring_and_expired(app) {

        let insulin = app.seeded.insulin;
        let smtp = SmtpServer::start();
        let app = spawn_app_with(app.backend(), smtp_settings(smtp.port)).await.unwrap();
        let store = app.location("STORE").await;
        let soon = app.receive(store, insulin, "SOON", &days_from_today(10), 4).await;
        // Received 40 days ago, when it still had 35 days to go: expired 5 days ago.
        let forty_days_ago = (chrono::Utc::now() - chrono::Duration::days(40)).to_rfc3339();
        let body = json!({"kind": "receipt", "location_id": store, "occurred_at": forty_days_ago,
            "lines": [{"item_id": insulin, "lot_number": "OLD", "expires_on": days_from_today(-5), "quantity": 3}]});
        let old = json_of(app.post("/api/v1/movements", &body).await, 201).await["lines"][0]["lot_id"].as_i64().unwrap();
        app.receive(store, insulin, "LATER", &days_from_today(200), 4).await;

        eventually(|| async { alerts(&app, "state=open").await.len() == 2 }).await;
        let open = alerts(&app, "state=open").await;
        let kinds: Vec<(&str, i64, i64)> = open.iter().map(|a| (a["kind"].as_str().unwrap(), a["lot_id"].as_i64().unwrap(), a["quantity"].as_i64().unwrap())).collect();
        assert!(kinds.contains(&("expiring", soon, 4)), "{kinds:?}");
        assert!(kinds.contains(&("expired", old, 3)), "{kinds:?}");
        let mail = smtp.wait_for(2).await;
        let subjects: Vec<&str> = mail.iter().map(|m| m.subject.as_str()).collect();
        assert!(subjects.iter().any(|s| s.starts_with("Lot expiring: Insuman Implantable 400 IU/ml, 10 ml vial lot SOON expires on")), "{subjects:?}");
        assert!(subjects.iter().any(|s| s.starts_with("Lot expired: Insuman Implantable 400 IU/ml, 10 ml vial lot OLD expired on")), "{subjects:?}");

        // Wasting the expired lot resolves its alert; later scans open nothing new.
        let waste = json!({"kind": "waste", "location_id": store, "reason": "expired", "lines": [{"item_id": insulin, "lot_id": old, "quantity": 3}]});
        json_of(app.post("/api/v1/movements", &waste).await, 201).await;
        let expired = alerts(&app, "kind=expired").await;
        assert_eq!(expired[0]["state"], "resolved");
        settle().await;
        assert_eq!(alerts(&app, "").await.len(), 2);
        assert_eq!(smtp.messages().len(), 2);
        // Expired stock is not available stock.
        let stock = json_of(app.get(&format!("/api/v1/stock?item_id={insulin}")).await, 200).await;
        assert_eq!(stock["data"][0]["available"], 8);
    }

    async fn concurrent_crossings_open_one_alert(app) {

        let insulin = app.seeded.insulin;
        let smtp = SmtpServer::start();
        let app = spawn_app_with(app.backend(), smtp_settings(smtp.port)).await.unwrap();
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(store, insulin, "A", &days_from_today(300), 40).await;
        threshold(&app, None, 30, 40).await;
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": insulin, "quantity": 1}]});
        let responses = join_all((0..20).map(|_| app.post("/api/v1/movements", &body))).await;
        assert!(responses.iter().all(|r| r.status().as_u16() == 201));
        let low = alerts(&app, "kind=low_stock").await;
        assert_eq!(low.len(), 1, "{low:?}");
        assert_eq!(smtp.wait_for(1).await.len(), 1);
        settle().await;
        assert_eq!(smtp.messages().len(), 1);
    }

    async fn reminders_until_acknowledged(app) {

        let insulin = app.seeded.insulin;
        let smtp = SmtpServer::start();
        let adjust = smtp_settings(smtp.port);
        let app = spawn_app_with(app.backend(), |s| {
            adjust(s);
            s.alerts.reminder_hours = 1.0 / 3600.0;
        })
        .await
        .unwrap();
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(store, insulin, "A", &days_from_today(300), 5).await;
        threshold(&app, None, 4, 10).await;
        dispense(&app, store, patient, 1).await;
        let mail = smtp.wait_for(2).await;
        assert!(mail[1].subject.starts_with("Reminder: Low stock: Insuman"), "{}", mail[1].subject);

        let alert = alerts(&app, "state=open").await[0].clone();
        let acknowledged = json_of(app.post(&format!("/api/v1/alerts/{}/acknowledge", alert["id"]), &json!({})).await, 200).await;
        assert_eq!(acknowledged["state"], "acknowledged");
        assert_eq!(acknowledged["acknowledged_by"], "bootstrap");
        let again = json_of(app.post(&format!("/api/v1/alerts/{}/acknowledge", alert["id"]), &json!({})).await, 200).await;
        assert_eq!(again["acknowledged_at"], acknowledged["acknowledged_at"]);
        settle().await;
        let count = smtp.messages().len();
        actix_web::rt::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(smtp.messages().len(), count, "no reminder after acknowledgement");

        // Resolved alerts cannot be acknowledged; unknown ones are 404.
        app.receive(store, insulin, "A", &days_from_today(300), 10).await;
        problem_of(app.post(&format!("/api/v1/alerts/{}/acknowledge", alert["id"]), &json!({})).await, 409, "alert-resolved").await;
        problem_of(app.post("/api/v1/alerts/999/acknowledge", &json!({})).await, 404, "not-found").await;
        let audit = json_of(app.get("/api/v1/audit?action=alert.acknowledge").await, 200).await;
        assert_eq!(audit["data"].as_array().unwrap().len(), 1);
    }

    async fn thresholds_and_reorder_suggestions(app) {

        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        app.receive(store, insulin, "A", &days_from_today(300), 6).await;
        let created = threshold(&app, None, 22, 40).await;
        let replaced = threshold(&app, None, 22, 30).await;
        assert_eq!(created["id"], replaced["id"]);
        assert_eq!(replaced["reorder_quantity"], 30);
        let at_store = threshold(&app, Some(store), 2, 10).await;
        assert_ne!(at_store["id"], created["id"]);
        for body in [
            json!({"item_id": insulin, "reorder_point": 5, "reorder_quantity": 0}),
            json!({"item_id": insulin, "reorder_point": -1, "reorder_quantity": 5}),
            json!({"item_id": 999, "reorder_point": 1, "reorder_quantity": 5}),
            json!({"item_id": insulin, "location_id": 999, "reorder_point": 1, "reorder_quantity": 5}),
            json!({"item_id": insulin, "reorder_point": 1, "reorder_quantity": 5, "lead_time_days": 400}),
        ] {
            problem_of(app.put("/api/v1/thresholds", &body).await, 422, "validation-failed").await;
        }
        let list = json_of(app.get("/api/v1/thresholds").await, 200).await;
        assert_eq!(list["data"].as_array().unwrap().len(), 2);

        let suggestions = json_of(app.get("/api/v1/reorder-suggestions").await, 200).await;
        let data = suggestions["data"].as_array().unwrap();
        assert_eq!(data.len(), 1, "6 available: below 22, above 2");
        assert_eq!(data[0]["suggested_quantity"], 30);
        assert_eq!(data[0]["working"]["available"], 6);
        assert_eq!(data[0]["working"]["to_clear_point"], 17);
        threshold(&app, None, 50, 30).await;
        let suggestions = json_of(app.get("/api/v1/reorder-suggestions").await, 200).await;
        assert_eq!(suggestions["data"][0]["suggested_quantity"], 45, "enough to get back above 50");

        // Deleting a threshold resolves its alerts.
        assert_eq!(alerts(&app, "state=open").await.len(), 1);
        let deleted = app.send(Method::DELETE, &format!("/api/v1/thresholds/{}", created["id"]), Some(&app.admin_token), None).await;
        assert_eq!(deleted.status().as_u16(), 204);
        assert!(alerts(&app, "state=open").await.is_empty());
        problem_of(app.send(Method::DELETE, "/api/v1/thresholds/999", Some(&app.admin_token), None).await, 404, "not-found").await;
    }

    async fn time_from_crossing_to_email(app) {

        let insulin = app.seeded.insulin;
        let smtp = SmtpServer::start();
        let app = spawn_app_with(app.backend(), smtp_settings(smtp.port)).await.unwrap();
        let store = app.location("STORE").await;
        let patient = app.patient("MIP-1").await;
        app.receive(store, insulin, "A", &days_from_today(300), 100).await;
        threshold(&app, None, 79, 10).await;
        let mut latencies = Vec::new();
        for run in 1..=20 {
            // 100 → 80 (above): the next single dispense crosses.
            let above = 100 - app.available(insulin, store).await;
            if above > 0 {
                app.receive(store, insulin, "A", &days_from_today(300), above).await;
            }
            let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": insulin, "quantity": 21}]});
            json_of(app.post("/api/v1/movements", &body).await, 201).await;
            let answered = Instant::now();
            let mail = smtp.wait_for(run).await;
            assert_eq!(mail.len(), run);
            latencies.push(mail[run - 1].at.saturating_duration_since(answered));
        }
        latencies.sort();
        eprintln!("crossing dispense response → email at the SMTP server, median of 20: {:?} (min {:?}, max {:?})", latencies[10], latencies[0], latencies[19]);
    }
}

#[actix_web::test]
async fn two_instances_on_one_postgres_send_each_email_once() {
    let smtp = SmtpServer::start();
    let Some(app) = spawn_app_with(Backend::Postgres, smtp_settings(smtp.port)).await else {
        return;
    };
    let second = app.second_instance(smtp_settings(smtp.port)).await;
    let store = app.location("STORE").await;
    let patient = app.patient("MIP-1").await;
    for item in 1..=6 {
        let body = json!({"kind": "receipt", "location_id": store, "lines": [{"item_id": item, "lot_number": "L", "expires_on": days_from_today(300), "quantity": 3}]});
        json_of(app.post("/api/v1/movements", &body).await, 201).await;
        let rule = json!({"item_id": item, "reorder_point": 2, "reorder_quantity": 5});
        json_of(app.put("/api/v1/thresholds", &rule).await, 201).await;
    }
    // Crossings through both instances, so both workers are busy with the outbox.
    let crossings = (1..=6).map(|item| {
        let base = if item % 2 == 0 { app.address.clone() } else { second.clone() };
        let body = json!({"kind": "dispense", "location_id": store, "patient_id": patient, "lines": [{"item_id": item, "quantity": 1}]});
        app.client.post(format!("{base}/api/v1/movements")).bearer_auth(&app.admin_token).json(&body).send()
    });
    for response in join_all(crossings).await {
        assert_eq!(response.unwrap().status().as_u16(), 201);
    }
    let mail = smtp.wait_for(6).await;
    settle().await;
    let mut subjects: Vec<String> = smtp.messages().iter().map(|m| m.subject.clone()).collect();
    assert_eq!(mail.len(), 6);
    assert_eq!(subjects.len(), 6, "no email twice: {subjects:?}");
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 6);
}
