//! Suppliers, purchase orders, the forecast and its alerts, over real HTTP on both databases.
//! Every expected figure is worked out by hand in the comments, not by the service's code.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{both_backends, days_from_today, json_of, problem_of, spawn_app_with, TestApp};
use crate::smtp::{smtp_settings, SmtpServer};

async fn supplier(app: &TestApp, code: &str, lead_time_days: i64) -> i64 {
    let body = json!({"code": code, "name": format!("Supplier {code}"), "lead_time_days": lead_time_days,
        "email": "orders@supplier.example"});
    json_of(app.post("/api/v1/suppliers", &body).await, 201).await["id"]
        .as_i64()
        .unwrap()
}

async fn buy_from(app: &TestApp, item: i64, supplier: i64, pack_size: i64, shelf_life_days: Option<i64>) {
    let body = json!({"supplier_id": supplier, "pack_size": pack_size, "shelf_life_days": shelf_life_days});
    json_of(app.patch(&format!("/api/v1/items/{item}"), &body).await, 200).await;
}

async fn on_order(app: &TestApp, item: i64) -> i64 {
    let stock = json_of(app.get(&format!("/api/v1/stock?item_id={item}")).await, 200).await;
    stock["data"][0]["on_order"].as_i64().unwrap()
}

async fn forecast(app: &TestApp, item: i64, horizon: i64) -> Value {
    let list = json_of(
        app.get(&format!("/api/v1/forecast?item_id={item}&horizon_days={horizon}"))
            .await,
        200,
    )
    .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    list["data"][0].clone()
}

async fn receipt(app: &TestApp, location: i64, lines: Value) -> reqwest::Response {
    app.post(
        "/api/v1/movements",
        &json!({"kind": "receipt", "location_id": location, "lines": lines}),
    )
    .await
}

/// A patient refilled on `next` (days from today), every `interval` days.
async fn booked(app: &TestApp, reference: &str, next: i64, interval: i64) -> i64 {
    let body =
        json!({"reference": reference, "next_refill_on": days_from_today(next), "refill_interval_days": interval});
    json_of(app.post("/api/v1/patients", &body).await, 201).await["id"]
        .as_i64()
        .unwrap()
}

async fn alerts_of_kind(app: &TestApp, kind: &str) -> Vec<Value> {
    json_of(app.get(&format!("/api/v1/alerts?kind={kind}")).await, 200).await["data"]
        .as_array()
        .unwrap()
        .clone()
}

both_backends! {
    async fn orders_count_partial_receipts_and_cancellations(app) {
        let (insulin, kit) = (app.seeded.insulin, app.seeded.fill_kit);
        let store = app.location("STORE").await;
        let sanofi = supplier(&app, "SANOFI", 10).await;
        let body = json!({"supplier_id": sanofi, "reference": "PO-1",
            "lines": [{"item_id": insulin, "quantity": 30}, {"item_id": kit, "quantity": 10}]});
        let order = json_of(app.post("/api/v1/orders", &body).await, 201).await;
        assert_eq!(order["status"], "open");
        assert_eq!(order["ordered_on"], days_from_today(0));
        assert_eq!(order["expected_on"], days_from_today(10), "today + the supplier's lead time");
        let (insulin_line, kit_line) = (order["lines"][0]["id"].as_i64().unwrap(), order["lines"][1]["id"].as_i64().unwrap());
        assert_eq!(on_order(&app, insulin).await, 30);
        assert_eq!(on_order(&app, kit).await, 10);

        // 12 of 30 vials come: partially received, 18 still on order.
        let line = json!([{"item_id": insulin, "lot_number": "A1", "expires_on": days_from_today(400), "quantity": 12, "order_line_id": insulin_line}]);
        let first = json_of(receipt(&app, store, line).await, 201).await;
        let order = json_of(app.get(&format!("/api/v1/orders/{}", order["id"])).await, 200).await;
        assert_eq!(order["status"], "partially_received");
        assert_eq!(order["lines"][0]["received_quantity"], 12);
        assert_eq!(on_order(&app, insulin).await, 18);

        // A line of another item, or no such line: 422 and nothing received.
        let wrong = json!([{"item_id": kit, "lot_number": "K1", "expires_on": days_from_today(400), "quantity": 1, "order_line_id": insulin_line}]);
        let problem = problem_of(receipt(&app, store, wrong).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "lines[0].order_line_id");
        let missing = json!([{"item_id": kit, "lot_number": "K1", "expires_on": days_from_today(400), "quantity": 1, "order_line_id": 999999}]);
        problem_of(receipt(&app, store, missing).await, 422, "validation-failed").await;
        assert_eq!(app.available(kit, store).await, 0);

        // Reversing the receipt takes its 12 back off the order.
        json_of(app.post(&format!("/api/v1/movements/{}/reverse", first["id"]), &json!({})).await, 201).await;
        let order = json_of(app.get(&format!("/api/v1/orders/{}", order["id"])).await, 200).await;
        assert_eq!((order["status"].as_str(), order["lines"][0]["received_quantity"].as_i64()), (Some("open"), Some(0)));
        assert_eq!(on_order(&app, insulin).await, 30);

        // Everything (a little more insulin than ordered): received, nothing on order.
        let all = json!([
            {"item_id": insulin, "lot_number": "A2", "expires_on": days_from_today(400), "quantity": 32, "order_line_id": insulin_line},
            {"item_id": kit, "lot_number": "K2", "expires_on": days_from_today(400), "quantity": 10, "order_line_id": kit_line}]);
        json_of(receipt(&app, store, all).await, 201).await;
        let order = json_of(app.get(&format!("/api/v1/orders/{}", order["id"])).await, 200).await;
        assert_eq!(order["status"], "received");
        assert_eq!((on_order(&app, insulin).await, on_order(&app, kit).await), (0, 0));

        // A received order takes nothing more and cannot be cancelled.
        let more = json!([{"item_id": kit, "lot_number": "K3", "expires_on": days_from_today(400), "quantity": 1, "order_line_id": kit_line}]);
        problem_of(receipt(&app, store, more).await, 409, "order-closed").await;
        problem_of(app.post(&format!("/api/v1/orders/{}/cancel", order["id"]), &json!({})).await, 409, "order-closed").await;

        // A second order, cancelled: off the books; a receipt against it is refused.
        let body = json!({"supplier_id": sanofi, "expected_on": days_from_today(3), "lines": [{"item_id": insulin, "quantity": 5}]});
        let second = json_of(app.post("/api/v1/orders", &body).await, 201).await;
        assert_eq!(on_order(&app, insulin).await, 5);
        let cancelled = json_of(app.post(&format!("/api/v1/orders/{}/cancel", second["id"]), &json!({})).await, 200).await;
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(on_order(&app, insulin).await, 0);
        let late = json!([{"item_id": insulin, "lot_number": "A3", "expires_on": days_from_today(400), "quantity": 5, "order_line_id": second["lines"][0]["id"]}]);
        problem_of(receipt(&app, store, late).await, 409, "order-closed").await;

        let listed = json_of(app.get(&format!("/api/v1/orders?status=cancelled&supplier_id={sanofi}")).await, 200).await;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1);
        let audit = json_of(app.get("/api/v1/audit").await, 200).await;
        let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"order.create") && actions.contains(&"order.cancel") && actions.contains(&"supplier.create"));
        app.assert_verified();
    }

    async fn an_idempotent_order_is_placed_once(app) {
        let sanofi = supplier(&app, "SANOFI", 14).await;
        let body = json!({"supplier_id": sanofi, "lines": [{"item_id": app.seeded.insulin, "quantity": 40}]});
        let send = || async {
            app.client
                .post(app.url("/api/v1/orders"))
                .bearer_auth(&app.admin_token)
                .header("Idempotency-Key", "order-2026-11-25")
                .json(&body)
                .send()
                .await
                .unwrap()
        };
        let first = json_of(send().await, 201).await;
        let again = json_of(send().await, 201).await;
        assert_eq!(first["id"], again["id"]);
        let all = json_of(app.get("/api/v1/orders").await, 200).await;
        assert_eq!(all["data"].as_array().unwrap().len(), 1);
        assert_eq!(on_order(&app, app.seeded.insulin).await, 40);
    }

    async fn the_forecast_matches_a_hand_built_roster(app) {
        let insulin = app.seeded.insulin;
        let fridge = app.location("FRIDGE").await;
        // A: refilled on days 2, 12, 22, 32, 42; B: on days 5, 25, 45. A refill takes 2 vials.
        booked(&app, "A", 2, 10).await;
        booked(&app, "B", 5, 20).await;
        // 5 vials expiring on day 3, 4 on day 60.
        app.receive(fridge, insulin, "X", &days_from_today(3), 5).await;
        app.receive(fridge, insulin, "Y", &days_from_today(60), 4).await;

        let f = forecast(&app, insulin, 30).await;
        assert_eq!(f["as_of"], days_from_today(0));
        assert_eq!((f["available"].as_i64(), f["on_order"].as_i64()), (Some(9), Some(0)));
        // Within 30 days: refills on 2, 5, 12, 22, 25 = 5 × 2 = 10 vials.
        assert_eq!(f["demand"], json!({"scheduled": 10.0, "unscheduled": 0.0, "total": 10.0}));
        assert_eq!(f["working"]["refills_in_horizon"], 5);
        assert_eq!(f["working"]["patients_on_roster"], 2);
        // Day 2 takes 2 of X (3 left); X is usable through day 3 and leaves on day 4 with 3.
        // Day 5 and day 12 take Y's 4; day 22 cannot be served.
        assert_eq!(f["stockout_on"], days_from_today(22));
        assert_eq!(f["days_of_cover"], 22);
        assert_eq!(f["expiring_unused"], 3.0);
        let series = f["series"].as_array().unwrap();
        assert_eq!(series.len(), 30);
        assert_eq!(series[2], json!({"date": days_from_today(2), "available": 7.0, "demand": 2.0, "arriving": 0.0, "expiring": 0.0}));
        assert_eq!((series[3]["available"].as_f64(), series[4]["available"].as_f64(), series[4]["expiring"].as_f64()), (Some(7.0), Some(4.0), Some(3.0)));
        assert_eq!(series[12]["available"], 0.0);
        assert_eq!(series[22]["demand"], 2.0);

        // The suggestion, with a supplier 7 days away, packs of 4 and 60 days of shelf life:
        // period 7 + 28 + 14 = 49 days; refills on 2, 5, 12, 22, 25, 32, 42, 45 = 16 vials;
        // 9 usable but 3 expire: 10 vials unserved; max(16 − 9 − 0, 10) = 10 → 3 packs = 12.
        let lab = supplier(&app, "LAB", 7).await;
        buy_from(&app, insulin, lab, 4, Some(60)).await;
        let s = forecast(&app, insulin, 30).await["suggestion"].clone();
        assert_eq!((s["quantity"].as_i64(), s["working"]["packs"].as_i64()), (Some(12), Some(3)));
        assert_eq!((s["working"]["demand"].as_f64(), s["working"]["unmet"].as_f64(), s["working"]["needed"].as_f64()), (Some(16.0), Some(10.0), Some(10.0)));
        assert_eq!(s["order_by"], days_from_today(15), "the stockout on day 22 less 7 days of lead time");
        assert_eq!(s["expected_on"], days_from_today(7));
        // 20 days of shelf life use 16 / 49 × 20 = 6.53 vials: lowered to 1 pack of 4.
        buy_from(&app, insulin, lab, 4, Some(20)).await;
        let s = forecast(&app, insulin, 30).await["suggestion"].clone();
        assert_eq!((s["quantity"].as_i64(), s["working"]["shelf_life_demand"].as_f64()), (Some(4), Some(6.53)));
        let suggestions = json_of(app.get("/api/v1/reorder-suggestions").await, 200).await;
        let row = suggestions["data"].as_array().unwrap().iter().find(|r| r["rule"] == "forecast" && r["item_id"] == insulin).cloned().unwrap();
        assert_eq!((row["suggested_quantity"].as_i64(), row["order_by"].as_str()), (Some(4), Some(days_from_today(15).as_str())));

        // One request turns it into an order: 4 vials, expected in 7 days.
        let order = json_of(app.post("/api/v1/orders/from-suggestions", &json!({"supplier_id": lab})).await, 201).await;
        assert_eq!(order["lines"], json!([{"id": order["lines"][0]["id"], "item_id": insulin, "quantity": 4, "received_quantity": 0}]));
        assert_eq!(order["expected_on"], days_from_today(7));

        // Those 4 land on day 7: day 22 and 25 are served (4 − 4 = 0), the stockout moves to day 32.
        let f = forecast(&app, insulin, 40).await;
        assert_eq!(f["on_order"], 4);
        assert_eq!(f["stockout_on"], days_from_today(32));
        assert_eq!(f["days_of_cover"], 22, "cover counts stock alone");
        assert_eq!(f["series"][7]["arriving"], 4.0);
        // 10 more landing on day 21, one day before the old stockout: served through day 40.
        let body = json!({"supplier_id": lab, "expected_on": days_from_today(21), "lines": [{"item_id": insulin, "quantity": 10}]});
        json_of(app.post("/api/v1/orders", &body).await, 201).await;
        let f = forecast(&app, insulin, 40).await;
        assert!(f["stockout_on"].is_null(), "{}", f["stockout_on"]);
        assert_eq!(f["series"][21]["arriving"], 10.0);
        // Nothing left to suggest: the two orders cover the period.
        assert_eq!(problem_of(app.post("/api/v1/orders/from-suggestions", &json!({"supplier_id": lab})).await, 422, "validation-failed").await["errors"][0]["field"], "supplier_id");
    }

    async fn unscheduled_demand_is_the_last_year_average(app) {
        let naoh = app.seeded.naoh;
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("P").await;
        // The ledger starts with this receipt 400 days ago: the rate is over the last 365 days.
        app.receive_days_ago(400, fridge, naoh, "N", &days_from_today(400), 100).await;
        // 73 units dispensed two days ago, outside any refill: 73 / 365 = 0.2 a day.
        let two_days_ago = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339();
        let body = json!({"kind": "dispense", "location_id": fridge, "patient_id": patient, "occurred_at": two_days_ago,
            "lines": [{"item_id": naoh, "quantity": 73}]});
        json_of(app.post("/api/v1/movements", &body).await, 201).await;
        let f = forecast(&app, naoh, 200).await;
        assert_eq!((f["working"]["unscheduled_units"].as_i64(), f["working"]["usage_days"].as_i64(), f["working"]["unscheduled_per_day"].as_f64()), (Some(73), Some(365), Some(0.2)));
        assert_eq!(f["demand"]["unscheduled"], 40.0, "0.2 × 200 days");
        // 27 left at 0.2 a day: days 0–134 are served, day 135 is short.
        assert_eq!(f["stockout_on"], days_from_today(135));
        assert_eq!(f["days_of_cover"], 135);
        // Reversing the dispensation takes it out of the rate.
        let movements = json_of(app.get(&format!("/api/v1/movements?kind=dispense&item_id={naoh}")).await, 200).await;
        let id = movements["data"][0]["id"].as_i64().unwrap();
        json_of(app.post(&format!("/api/v1/movements/{id}/reverse"), &json!({})).await, 201).await;
        let f = forecast(&app, naoh, 200).await;
        assert_eq!(f["working"]["unscheduled_units"], 0);
        assert!(f["stockout_on"].is_null());
    }

    async fn a_young_ledger_averages_its_usage_over_its_own_days(app) {
        let naoh = app.seeded.naoh;
        let fridge = app.location("FRIDGE").await;
        let patient = app.patient("P").await;
        // Kept for 250 days: 125 units over 250 days is 0.5 a day, not 125 / 365.
        app.receive_days_ago(250, fridge, naoh, "N", &days_from_today(400), 200).await;
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
        let body = json!({"kind": "dispense", "location_id": fridge, "patient_id": patient, "occurred_at": yesterday,
            "lines": [{"item_id": naoh, "quantity": 125}]});
        json_of(app.post("/api/v1/movements", &body).await, 201).await;
        let f = forecast(&app, naoh, 200).await;
        assert_eq!((f["working"]["usage_days"].as_i64(), f["working"]["unscheduled_per_day"].as_f64()), (Some(250), Some(0.5)));
        assert_eq!(f["working"]["usage_from"], days_from_today(-250));
        // 75 left at 0.5 a day: 150 days served (0–149), day 150 short.
        assert_eq!(f["stockout_on"], days_from_today(150));
    }

    async fn bad_supply_input_is_refused_and_changes_nothing(app) {
        let insulin = app.seeded.insulin;
        for query in ["horizon_days=0", "horizon_days=731", "horizon_days=ten"] {
            problem_of(app.get(&format!("/api/v1/forecast?{query}")).await, 400, "malformed-request").await;
        }
        problem_of(app.get("/api/v1/forecast?item_id=999999").await, 404, "not-found").await;
        let all = json_of(app.get("/api/v1/forecast").await, 200).await;
        assert_eq!(all["data"].as_array().unwrap().len(), 6, "one row per active seeded item");
        assert_eq!(all["data"][0]["series"].as_array().unwrap().len(), 90, "default horizon");

        let problem = problem_of(app.post("/api/v1/suppliers", &json!({"code": "bad code", "name": " ", "lead_time_days": 366, "email": "nobody"})).await, 422, "validation-failed").await;
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, vec!["code", "name", "lead_time_days", "email"]);
        let sanofi = supplier(&app, "SANOFI", 14).await;
        problem_of(app.post("/api/v1/suppliers", &json!({"code": "sanofi", "name": "Again"})).await, 409, "duplicate").await;
        let problem = problem_of(app.patch(&format!("/api/v1/items/{insulin}"), &json!({"supplier_id": 999999, "pack_size": 0})).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "pack_size");
        let problem = problem_of(app.patch(&format!("/api/v1/items/{insulin}"), &json!({"supplier_id": 999999})).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "supplier_id");

        let bad = json!({"supplier_id": sanofi, "ordered_on": days_from_today(1), "expected_on": days_from_today(0),
            "lines": [{"item_id": insulin, "quantity": 0}, {"item_id": insulin, "quantity": 5}]});
        let problem = problem_of(app.post("/api/v1/orders", &bad).await, 422, "validation-failed").await;
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, vec!["lines[0].quantity", "lines[1].item_id", "ordered_on", "expected_on"]);
        let unknown = json!({"supplier_id": 999999, "lines": [{"item_id": 999999, "quantity": 5}]});
        let problem = problem_of(app.post("/api/v1/orders", &unknown).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
        problem_of(app.post("/api/v1/orders", &json!({"supplier_id": sanofi, "lines": []})).await, 422, "validation-failed").await;
        problem_of(app.post("/api/v1/orders/999999/cancel", &json!({})).await, 404, "not-found").await;
        problem_of(app.get("/api/v1/suppliers/999999").await, 404, "not-found").await;
        let orders = json_of(app.get("/api/v1/orders").await, 200).await;
        assert!(orders["data"].as_array().unwrap().is_empty(), "nothing written on failure");
        let item = json_of(app.get(&format!("/api/v1/items/{insulin}")).await, 200).await;
        assert_eq!((item["supplier_id"].is_null(), item["pack_size"].as_i64()), (true, Some(1)));
    }

    async fn a_projected_stockout_alerts_once_and_resolves_after_an_order(app) {
        let insulin = app.seeded.insulin;
        let smtp = SmtpServer::start();
        let app = spawn_app_with(app.backend(), smtp_settings(smtp.port)).await.unwrap();
        let fridge = app.location("FRIDGE").await;
        let lab = supplier(&app, "LAB", 7).await;
        buy_from(&app, insulin, lab, 10, None).await;
        // 7 vials on the shelf; refills on days 3, 4 and 5 take 6 (kits and buffer are plenty).
        app.receive(fridge, insulin, "A", &days_from_today(300), 7).await;
        app.receive(fridge, app.seeded.fill_kit, "K", &days_from_today(300), 10).await;
        app.receive(fridge, app.seeded.buffer, "B", &days_from_today(300), 10).await;
        for (n, day) in [3, 4, 5].into_iter().enumerate() {
            booked(&app, &format!("MIP-SECRET-{n}"), day, 42).await;
        }
        let walk_in = app.patient("MIP-SECRET-W").await;
        assert!(alerts_of_kind(&app, "projected_stockout").await.is_empty());

        // Eight concurrent dispensations of one vial, through two instances (each with its own
        // email worker): seven are served, and from the second the day-5 refill can no longer
        // be: one alert, one email.
        let other = app.second_instance(smtp_settings(smtp.port)).await;
        let body = json!({"kind": "dispense", "location_id": fridge, "patient_id": walk_in,
            "lines": [{"item_id": insulin, "quantity": 1}]});
        let answers = join_all((0..8).map(|n| {
            let base = if n % 2 == 0 { app.address.clone() } else { other.clone() };
            app.client
                .post(format!("{base}/api/v1/movements"))
                .bearer_auth(&app.admin_token)
                .json(&body)
                .send()
        }))
        .await;
        let served = answers.iter().filter(|r| r.as_ref().is_ok_and(|r| r.status() == 201)).count();
        assert_eq!(served, 7);
        smtp.wait_for(1).await;
        // Only to show that no second email follows (an absence cannot be awaited).
        actix_web::rt::time::sleep(std::time::Duration::from_millis(1500)).await;
        let mail = smtp.messages();
        let open = alerts_of_kind(&app, "projected_stockout").await;
        assert_eq!(open.len(), 1, "{open:?}");
        assert_eq!((open[0]["state"].as_str(), open[0]["location_id"].is_null()), (Some("open"), true));
        let stockout: Vec<_> = mail.iter().filter(|m| m.subject.starts_with("Projected stockout")).collect();
        assert_eq!(stockout.len(), 1, "{:?}", mail.iter().map(|m| &m.subject).collect::<Vec<_>>());
        // Written when the second vial left: 5 serve days 3 and 4, the day-5 refill is at risk;
        // ordering today is already late (day 5 − 7 days of lead time).
        assert_eq!(
            stockout[0].subject,
            format!(
                "Projected stockout: Insuman Implantable 400 IU/ml, 10 ml vial runs out on {} — 1 refill(s) at risk; order 10 vials by {}",
                days_from_today(5),
                days_from_today(0)
            )
        );
        assert!(smtp.messages().iter().all(|m| !m.raw.contains("MIP-SECRET")), "no patient in any email");

        // 10 vials landing tomorrow serve all three refills: resolved.
        let body = json!({"supplier_id": lab, "expected_on": days_from_today(1), "lines": [{"item_id": insulin, "quantity": 10}]});
        json_of(app.post("/api/v1/orders", &body).await, 201).await;
        let all = alerts_of_kind(&app, "projected_stockout").await;
        assert_eq!((all.len(), all[0]["state"].as_str()), (1, Some("resolved")));
    }

    async fn a_late_order_alerts_until_it_is_received(app) {
        let insulin = app.seeded.insulin;
        let store = app.location("STORE").await;
        let lab = supplier(&app, "LAB", 7).await;
        let body = json!({"supplier_id": lab, "reference": "PO-LATE", "ordered_on": days_from_today(-10),
            "lines": [{"item_id": insulin, "quantity": 20}]});
        let order = json_of(app.post("/api/v1/orders", &body).await, 201).await;
        assert_eq!(order["expected_on"], days_from_today(-3));
        let late = alerts_of_kind(&app, "order_overdue").await;
        assert_eq!(late.len(), 1);
        assert_eq!((late[0]["order_id"].clone(), late[0]["item_id"].as_i64(), late[0]["quantity"].as_i64()), (order["id"].clone(), Some(insulin), Some(20)));
        let notifications = json_of(app.get(&format!("/api/v1/notifications?alert_id={}", late[0]["id"])).await, 200).await;
        assert_eq!(notifications["data"][0]["subject"], format!("Order overdue: order PO-LATE (#{}) from Supplier LAB was expected on {}", order["id"], days_from_today(-3)));
        let line = json!([{"item_id": insulin, "lot_number": "L", "expires_on": days_from_today(300), "quantity": 20, "order_line_id": order["lines"][0]["id"]}]);
        json_of(receipt(&app, store, line).await, 201).await;
        assert_eq!(alerts_of_kind(&app, "order_overdue").await[0]["state"], "resolved");
    }
}
