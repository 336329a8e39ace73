//! The web app's screens over real HTTP: each form through the API's own use-case and messages.

use reqwest::header::LOCATION;
use serde_json::json;

use crate::helpers::{both_backends, days_from_today, json_of, TestApp};
use crate::web::{client, hidden_token, page, pharmacist, post_form, session, PASSWORD};

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn on_hand(app: &TestApp, location: &str) -> i64 {
    let rows = json_of(
        app.get(&format!(
            "/api/v1/stock?item_id={}&location_id={location}",
            app.seeded.insulin
        ))
        .await,
        200,
    )
    .await;
    rows["data"][0]["on_hand"].as_i64().unwrap()
}

/// An Insuman box with its own lot and serial, as a wedge scanner types it (GS as the control
/// character).
fn insuman_box(lot: &str, serial: &str) -> String {
    format!("]d2010340095857484917301231\u{1d}10{lot}\u{1d}21{serial}")
}

async fn refill_stock(app: &TestApp, store: i64) {
    app.receive(store, app.seeded.fill_kit, "KIT-1", &days_from_today(300), 5)
        .await;
    app.receive(store, app.seeded.buffer, "BUF-1", &days_from_today(300), 5)
        .await;
    app.receive(store, app.seeded.insulin, "OLD-1", &days_from_today(60), 4)
        .await;
    let boxes = json!([{"scan": insuman_box("NEW-2", "SN-A")}, {"scan": insuman_box("NEW-2", "SN-B")}]);
    json_of(
        app.post(
            "/api/v1/movements",
            &json!({"kind": "receipt", "location_id": store, "lines": boxes}),
        )
        .await,
        201,
    )
    .await;
}

both_backends! {
    async fn a_refill_is_recorded_in_one_action_by_fefo_or_by_scanning_the_boxes(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        refill_stock(&app, store).await;
        let due = app.patient("MIP-DUE").await;
        json_of(app.patch(&format!("/api/v1/patients/{due}"), &json!({"next_refill_on": days_from_today(3)})).await, 200).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        // A patient that does not exist is a page that says so, not the API's JSON.
        let missing = web.get(app.url("/refills/999999")).header(reqwest::header::COOKIE, &marie).send().await.unwrap();
        assert_eq!(missing.status(), 404);
        assert!(missing.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(missing.text().await.unwrap().contains("Retour à l'accueil"));
        let list = page(&app, &web, &marie, "/refills").await;
        assert!(list.contains("MIP-DUE") && list.contains(&format!("href=\"/refills/{due}\"")), "{list}");

        // By scan: the two boxes' lot (the later one) for insulin, FEFO for the kit and buffer;
        // one separator arrives as the visible ␝ the page's script writes.
        let form = page(&app, &web, &marie, &format!("/refills/{due}")).await;
        assert!(form.contains("2 × ") && form.contains("name=\"scans\""), "{form}");
        let scans = format!("{}\r\n{}", insuman_box("NEW-2", "SN-A"), insuman_box("NEW-2", "SN-B").replacen('\u{1d}', "\u{241d}", 1));
        let store_id = store.to_string();
        let done = post_form(&app, &web, &marie, &format!("/refills/{due}"),
            &[("csrf_token", &hidden_token(&form)), ("location_id", &store_id), ("scans", &scans)]).await;
        assert_eq!(done.status(), 303);
        let shown = done.headers()[LOCATION].to_str().unwrap().to_owned();
        let result = page(&app, &web, &marie, &shown).await;
        assert!(result.contains("enregistré") && result.contains("NEW-2") && result.contains("SN-A") && result.contains("SN-B")
            && result.contains("KIT-1") && result.contains("BUF-1") && !result.contains("OLD-1"), "{result}");
        let patient = json_of(app.get(&format!("/api/v1/patients/{due}")).await, 200).await;
        assert_eq!(patient["next_refill_on"].as_str().unwrap(), days_from_today(patient["refill_interval_days"].as_i64().unwrap()));
        let movements = json_of(app.get(&format!("/api/v1/movements?patient_id={due}")).await, 200).await;
        let movement = &movements["data"][0];
        assert_eq!((movement["procedure"].as_str(), movement["actor"]["name"].as_str()), (Some("refill"), Some("user:marie")));

        // By FEFO: the insulin comes from the lot that expires first.
        let fefo = post_form(&app, &web, &marie, &format!("/refills/{due}"),
            &[("csrf_token", &hidden_token(&form)), ("location_id", &store_id), ("scans", "")]).await;
        assert_eq!(fefo.status(), 303);
        let result = page(&app, &web, &marie, fefo.headers()[LOCATION].to_str().unwrap()).await;
        assert!(result.contains("OLD-1") && result.contains("-2"), "{result}");

        // A box never received: the API's message next to the scans, nothing written.
        let before = json_of(app.get(&format!("/api/v1/movements?patient_id={due}")).await, 200).await["data"].as_array().unwrap().len();
        let refused = post_form(&app, &web, &marie, &format!("/refills/{due}"),
            &[("csrf_token", &hidden_token(&form)), ("location_id", &store_id), ("scans", &insuman_box("NEVER", "SN-Z"))]).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains("Boîte 1 : lot inconnu : le lot NEVER de cet article n&#39;a jamais été reçu") && text.contains("rien n'a été modifié"), "{text}");
        assert!(text.contains("NEVER\u{241d}21SN-Z"), "the scan is shown back, GS visible: {text}");
        let after = json_of(app.get(&format!("/api/v1/movements?patient_id={due}")).await, 200).await["data"].as_array().unwrap().len();
        assert_eq!(before, after);

        // Not enough stock: the API's conflict, in the page.
        let empty = app.location("EMPTY").await.to_string();
        let short = post_form(&app, &web, &marie, &format!("/refills/{due}"),
            &[("csrf_token", &hidden_token(&form)), ("location_id", &empty), ("scans", "")]).await;
        assert_eq!(short.status(), 409);
        assert!(short.text().await.unwrap().contains("rien n'a été modifié"));
    }

    async fn a_delivery_is_received_against_an_order_by_scan_then_checked_and_recorded(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        let supplier = json_of(app.post("/api/v1/suppliers", &json!({"code": "SANOFI", "name": "Sanofi", "lead_time_days": 10})).await, 201).await["id"].as_i64().unwrap();
        let order = json_of(app.post("/api/v1/orders", &json!({"supplier_id": supplier, "reference": "PO-WEB",
            "lines": [{"item_id": app.seeded.insulin, "quantity": 2}]})).await, 201).await;
        let (order_id, line_id) = (order["id"].as_i64().unwrap(), order["lines"][0]["id"].as_i64().unwrap());
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let form = page(&app, &web, &marie, "/receive").await;
        assert!(form.contains("PO-WEB") && form.contains(&format!("href=\"/receive?order={order_id}\"")), "{form}");
        let form = page(&app, &web, &marie, &format!("/receive?order={order_id}")).await;
        assert!(form.contains(&format!("name=\"lines[0].order_line_id\" value=\"{line_id}\"")) && form.contains("attendu : 2"), "{form}");
        let token = hidden_token(&form);
        let (store_id, insulin, line) = (store.to_string(), app.seeded.insulin.to_string(), line_id.to_string());
        let order_text = order_id.to_string();
        let typed = |scan: &str, action: &str| {
            vec![("csrf_token", token.clone()), ("order", order_text.clone()), ("action", action.to_owned()), ("location_id", store_id.clone()), ("reference", "BL-778".into()),
                ("lines[0].scan", scan.to_owned()), ("lines[0].item_id", insulin.clone()), ("lines[0].lot_number", String::new()), ("lines[0].expires_on", String::new()),
                ("lines[0].quantity", String::new()), ("lines[0].serial", String::new()), ("lines[0].order_line_id", line.clone()), ("lines[0].expected", "2".into()),
                ("lines[1].scan", String::new()), ("lines[1].item_id", String::new()), ("lines[1].order_line_id", String::new())]
        };

        // "Lire les codes": the scan fills lot, expiry and serial; nothing is recorded yet.
        let read = typed(&insuman_box("RCV-1", "SN-R1"), "read");
        let response = post_form(&app, &web, &marie, "/receive", &pairs(&read)).await;
        assert_eq!(response.status(), 200);
        let filled = response.text().await.unwrap();
        assert!(filled.contains("value=\"RCV-1\"") && filled.contains("value=\"2030-12-31\"") && filled.contains("value=\"SN-R1\"") && filled.contains("encore enregistré"), "{filled}");
        let lots = json_of(app.get(&format!("/api/v1/lots?item_id={}", app.seeded.insulin)).await, 200).await;
        assert!(lots["data"].as_array().unwrap().is_empty(), "{lots}");

        // A scan that contradicts the chosen item: the API's message next to that line's field.
        let wrong = typed(&insuman_box("RCV-1", "SN-R1"), "record");
        let mut wrong = wrong;
        wrong[6].1 = app.seeded.fill_kit.to_string();
        let refused = post_form(&app, &web, &marie, "/receive", &pairs(&wrong)).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains("rien n'a été modifié") && text.contains("<p class=\"error\">indique "), "{text}");

        // Recorded against the order line.
        let record = typed(&insuman_box("RCV-1", "SN-R1"), "record");
        let done = post_form(&app, &web, &marie, "/receive", &pairs(&record)).await;
        assert_eq!(done.status(), 303);
        let shown = page(&app, &web, &marie, done.headers()[LOCATION].to_str().unwrap()).await;
        assert!(shown.contains("enregistré") && shown.contains("RCV-1"), "{shown}");
        let order = json_of(app.get(&format!("/api/v1/orders/{order_id}")).await, 200).await;
        assert_eq!((order["status"].as_str(), order["lines"][0]["received_quantity"].as_i64()), (Some("partially_received"), Some(1)));

        // The manual path: typed fields, a missing expiry said next to it.
        let manual = vec![("csrf_token", token.clone()), ("action", "record".into()), ("location_id", store_id.clone()),
            ("lines[0].scan", String::new()), ("lines[0].item_id", app.seeded.buffer.to_string()), ("lines[0].lot_number", "BUF-9".into()),
            ("lines[0].expires_on", String::new()), ("lines[0].quantity", "3".into()), ("lines[0].serial", String::new()), ("lines[0].order_line_id", String::new())];
        let missing = post_form(&app, &web, &marie, "/receive", &pairs(&manual)).await;
        assert_eq!(missing.status(), 422);
        let text = missing.text().await.unwrap();
        assert!(text.contains("value=\"BUF-9\""), "what was typed is kept: {text}");
        let mut manual = manual;
        manual[6].1 = days_from_today(400);
        let done = post_form(&app, &web, &marie, "/receive", &pairs(&manual)).await;
        assert_eq!(done.status(), 303);
        let shown = page(&app, &web, &marie, done.headers()[LOCATION].to_str().unwrap()).await;
        assert!(shown.contains("BUF-9"), "{shown}");
    }

    async fn stock_by_location_with_a_count_a_waste_and_a_transfer_to_the_ward_fridge(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        let fridge = app.location("WARD-FRIDGE").await;
        let lot = app.receive(store, app.seeded.insulin, "STK-1", &days_from_today(200), 10).await;
        app.receive_days_ago(10, store, app.seeded.buffer, "STK-OLD", &days_from_today(-3), 2).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let shown = page(&app, &web, &marie, "/stock").await;
        assert!(shown.contains("STK-1") && shown.contains("STK-OLD") && shown.contains("périmé") && shown.contains("Location STORE"), "{shown}");
        let token = hidden_token(&shown);
        let (lot, store, fridge, insulin) = (lot.to_string(), store.to_string(), fridge.to_string(), app.seeded.insulin.to_string());
        let on_lot = |extra: &[(&'static str, &'static str)]| {
            let mut form = vec![("csrf_token", token.clone()), ("item_id", insulin.clone()), ("lot_id", lot.clone()), ("location_id", store.clone())];
            form.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
            form
        };

        let counted = post_form(&app, &web, &marie, "/stock/count", &pairs(&on_lot(&[("lines[0].counted_quantity", "9")]))).await;
        assert_eq!(counted.status(), 303);
        assert_eq!(on_hand(&app, &store).await, 9);
        let wasted = post_form(&app, &web, &marie, "/stock/waste", &pairs(&on_lot(&[("lines[0].quantity", "1"), ("reason", "damaged")]))).await;
        assert_eq!(wasted.status(), 303);
        let mut transfer = on_lot(&[("lines[0].quantity", "3")]);
        transfer.push(("to_location_id", fridge.clone()));
        let moved = post_form(&app, &web, &marie, "/stock/transfer", &pairs(&transfer)).await;
        assert_eq!(moved.status(), 303);
        let result = page(&app, &web, &marie, moved.headers()[LOCATION].to_str().unwrap()).await;
        assert!(result.contains("enregistré") && result.contains("Location WARD-FRIDGE"), "{result}");
        assert_eq!((on_hand(&app, &store).await, on_hand(&app, &fridge).await), (5, 3));

        // More than there is: the API's conflict, in the lot's own form, nothing moved.
        let mut too_much = on_lot(&[("lines[0].quantity", "50")]);
        too_much.push(("to_location_id", fridge.clone()));
        let refused = post_form(&app, &web, &marie, "/stock/transfer", &pairs(&too_much)).await;
        assert_eq!(refused.status(), 409);
        let text = refused.text().await.unwrap();
        assert!(text.contains("rien n'a été modifié") && text.contains("<details open>"), "{text}");
        // A reason the API does not know: its message.
        let bad = post_form(&app, &web, &marie, "/stock/waste", &pairs(&on_lot(&[("lines[0].quantity", "1"), ("reason", "lost")]))).await;
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("(reason)"));
        assert_eq!((on_hand(&app, &store).await, on_hand(&app, &fridge).await), (5, 3));
    }

    async fn the_forecast_draws_ninety_days_explains_its_suggestion_and_orders_it(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        app.receive(store, app.seeded.insulin, "FC-1", &days_from_today(20), 10).await;
        let supplier = json_of(app.post("/api/v1/suppliers", &json!({"code": "SANOFI", "name": "Sanofi", "lead_time_days": 14})).await, 201).await["id"].as_i64().unwrap();
        json_of(app.patch(&format!("/api/v1/items/{}", app.seeded.insulin), &json!({"supplier_id": supplier})).await, 200).await;
        for (i, reference) in ["MIP-F1", "MIP-F2", "MIP-F3"].iter().enumerate() {
            let patient = app.patient(reference).await;
            json_of(app.patch(&format!("/api/v1/patients/{patient}"), &json!({"next_refill_on": days_from_today(3 + 10 * i as i64)})).await, 200).await;
        }
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let shown = page(&app, &web, &marie, &format!("/forecast?item={}", app.seeded.insulin)).await;
        assert!(shown.contains("<svg") && shown.contains("<polyline points=") && shown.contains("recharge(s)") && shown.contains("périment"), "{shown}");
        assert!(shown.contains("Commander <strong>") && shown.contains("Période couverte"), "{shown}");
        let suggested = json_of(app.get(&format!("/api/v1/forecast?item_id={}", app.seeded.insulin)).await, 200).await;
        let quantity = suggested["data"][0]["suggestion"]["quantity"].as_i64().expect("a suggestion");
        let (item, supplier) = (app.seeded.insulin.to_string(), supplier.to_string());
        let placed = post_form(&app, &web, &marie, "/forecast/order",
            &[("csrf_token", &hidden_token(&shown)), ("item_id", &item), ("supplier_id", &supplier), ("reference", "CDE-PREV")]).await;
        assert_eq!(placed.status(), 303);
        let after = page(&app, &web, &marie, placed.headers()[LOCATION].to_str().unwrap()).await;
        assert!(after.contains("passée au fournisseur"), "{after}");
        let orders = json_of(app.get("/api/v1/orders").await, 200).await;
        let order = &orders["data"][0];
        assert_eq!((order["reference"].as_str(), order["lines"][0]["quantity"].as_i64()), (Some("CDE-PREV"), Some(quantity)));
        // An item without a supplier: said next to the button, nothing ordered.
        let buffer = app.seeded.buffer.to_string();
        let refused = post_form(&app, &web, &marie, "/forecast/order", &[("csrf_token", &hidden_token(&shown)), ("item_id", &buffer)]).await;
        assert_eq!(refused.status(), 422);
        assert_eq!(json_of(app.get("/api/v1/orders").await, 200).await["data"].as_array().unwrap().len(), 1);
    }

    async fn an_excursion_is_reported_holds_the_fridge_and_each_lot_is_decided(app) {
        pharmacist(&app).await;
        let fridge = app.location("WARD-FRIDGE").await;
        let lot = app.receive_days_ago(1, fridge, app.seeded.insulin, "COLD-1", &days_from_today(200), 6).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let shown = page(&app, &web, &marie, "/cold-chain").await;
        let token = hidden_token(&shown);
        let started = (chrono::Utc::now() - chrono::Duration::hours(3)).format("%Y-%m-%dT%H:%M").to_string();
        let fridge_id = fridge.to_string();

        // The warmest reading forgotten: said next to it, nothing held.
        let missing = post_form(&app, &web, &marie, "/cold-chain/excursions",
            &[("csrf_token", &token), ("location_id", &fridge_id), ("started_at", &started), ("max_temperature_c", "")]).await;
        assert_eq!(missing.status(), 422);
        let text = missing.text().await.unwrap();
        assert!(text.contains("est obligatoire") && !text.contains("is required") && text.contains(&format!("value=\"{started}\"")), "{text}");
        assert_eq!(json_of(app.get("/api/v1/excursions").await, 200).await["data"].as_array().unwrap().len(), 0);

        let reported = post_form(&app, &web, &marie, "/cold-chain/excursions",
            &[("csrf_token", &token), ("location_id", &fridge_id), ("started_at", &started), ("max_temperature_c", "11,5"), ("note", "porte mal fermée")]).await;
        assert_eq!(reported.status(), 303);
        let after = page(&app, &web, &marie, reported.headers()[LOCATION].to_str().unwrap()).await;
        assert!(after.contains("bloquées") && after.contains("COLD-1") && after.contains("11,5 °C") && after.contains("décision attendue"), "{after}");
        let excursion = json_of(app.get("/api/v1/excursions").await, 200).await["data"][0].clone();
        assert_eq!((excursion["held"][0]["quantity"].as_i64(), excursion["max_temperature_c"].as_f64()), (Some(6), Some(11.5)));
        let id = excursion["id"].as_i64().unwrap();

        let lot = lot.to_string();
        let path = format!("/cold-chain/{id}/decisions");
        let released = post_form(&app, &web, &marie, &path, &[("csrf_token", &token), ("lot_id", &lot), ("decision", "release"), ("note", "avis Sanofi")]).await;
        assert_eq!(released.status(), 303);
        let decided = page(&app, &web, &marie, "/cold-chain").await;
        assert!(decided.contains("libéré par user:marie") && decided.contains("décidée"), "{decided}");
        // Decided once: a second decision is the API's conflict, on that excursion.
        let again = post_form(&app, &web, &marie, &path, &[("csrf_token", &token), ("lot_id", &lot), ("decision", "destroy")]).await;
        assert_eq!(again.status(), 409);
        assert!(again.text().await.unwrap().contains("rien n'a été modifié"));
        let excursion = json_of(app.get(&format!("/api/v1/excursions/{id}")).await, 200).await;
        assert_eq!(excursion["held"][0]["decision"], "released");
    }

    async fn an_admin_sets_thresholds_suppliers_users_and_tokens_and_a_pharmacist_cannot(app) {
        pharmacist(&app).await;
        json_of(app.post("/api/v1/users", &json!({"username": "admin.pharma", "display_name": "Chef de service", "role": "admin", "password": PASSWORD})).await, 201).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let refused = web.get(app.url("/settings")).header(reqwest::header::COOKIE, &marie).send().await.unwrap();
        assert_eq!(refused.status(), 403);
        let admin = session(&app, &web, "admin.pharma", PASSWORD).await;
        let shown = page(&app, &web, &admin, "/settings").await;
        assert!(shown.contains("Réglages") && shown.contains("marie"), "{shown}");
        let token = hidden_token(&shown);
        let insulin = app.seeded.insulin.to_string();

        let saved = post_form(&app, &web, &admin, "/settings/thresholds",
            &[("csrf_token", &token), ("item_id", &insulin), ("location_id", ""), ("reorder_point", "8"), ("reorder_quantity", "20")]).await;
        assert_eq!((saved.status().as_u16(), saved.headers()[LOCATION].to_str().unwrap()), (303, "/settings?saved=thresholds"));
        let thresholds = json_of(app.get("/api/v1/thresholds").await, 200).await;
        assert_eq!(thresholds["data"][0]["reorder_point"], 8);
        let bad = post_form(&app, &web, &admin, "/settings/thresholds",
            &[("csrf_token", &token), ("item_id", &insulin), ("reorder_point", "-1"), ("reorder_quantity", "0")]).await;
        assert_eq!(bad.status(), 422);
        let text = bad.text().await.unwrap();
        assert!(text.contains("value=\"-1\""), "typed values kept: {text}");

        let supplier = post_form(&app, &web, &admin, "/settings/suppliers",
            &[("csrf_token", &token), ("code", "sanofi"), ("name", "Sanofi"), ("lead_time_days", "12"), ("email", "commandes@sanofi.example")]).await;
        assert_eq!(supplier.status(), 303);
        let again = post_form(&app, &web, &admin, "/settings/suppliers", &[("csrf_token", &token), ("code", "SANOFI"), ("name", "Again")]).await;
        assert_eq!(again.status(), 409);

        let short = post_form(&app, &web, &admin, "/settings/users",
            &[("csrf_token", &token), ("username", "luc"), ("display_name", "Luc"), ("role", "pharmacist"), ("password", "court")]).await;
        assert_eq!(short.status(), 422);
        let text = short.text().await.unwrap();
        assert!(text.contains("value=\"luc\"") && !text.contains("value=\"court\""), "{text}");
        let created = post_form(&app, &web, &admin, "/settings/users",
            &[("csrf_token", &token), ("username", "luc"), ("display_name", "Luc"), ("role", "pharmacist"), ("password", "un mot de passe long")]).await;
        assert_eq!(created.status(), 303);
        session(&app, &web, "luc", "un mot de passe long").await;
        let users = json_of(app.get("/api/v1/users").await, 200).await;
        let luc = users["data"].as_array().unwrap().iter().find(|u| u["username"] == "luc").unwrap()["id"].as_i64().unwrap();
        let disabled = post_form(&app, &web, &admin, &format!("/settings/users/{luc}"), &[("csrf_token", &token), ("active", "false")]).await;
        assert_eq!(disabled.status(), 303);
        assert_eq!(json_of(app.get(&format!("/api/v1/users/{luc}")).await, 200).await["active"], false);

        // A token: its secret shown once, usable at once, then revoked.
        let issued = post_form(&app, &web, &admin, "/settings/tokens", &[("csrf_token", &token), ("name", "DPI"), ("role", "viewer")]).await;
        assert_eq!(issued.status(), 200);
        let text = issued.text().await.unwrap();
        let marker = "<code id=\"issued-token\">";
        let at = text.find(marker).expect("the secret, once") + marker.len();
        let secret = text[at..].split('<').next().unwrap().to_owned();
        let with = |secret: &str| web.get(app.url("/api/v1/items")).bearer_auth(secret.to_owned()).send();
        assert_eq!(with(&secret).await.unwrap().status(), 200);
        let tokens = json_of(app.get("/api/v1/tokens").await, 200).await;
        let id = tokens["data"].as_array().unwrap().iter().find(|t| t["name"] == "DPI").unwrap()["id"].as_i64().unwrap();
        assert!(!page(&app, &web, &admin, "/settings").await.contains(&secret), "shown once only");
        let revoked = post_form(&app, &web, &admin, &format!("/settings/tokens/{id}"), &[("csrf_token", &token)]).await;
        assert_eq!(revoked.status(), 303);
        assert_eq!(with(&secret).await.unwrap().status(), 401);
    }

    async fn a_patients_refill_interval_status_and_next_date_are_changed_on_their_page(app) {
        pharmacist(&app).await;
        let patient = app.patient("MIP-EDIT").await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let shown = page(&app, &web, &marie, &format!("/patients/{patient}")).await;
        let token = hidden_token(&shown);
        let path = format!("/patients/{patient}");
        let next = days_from_today(5);
        let refused = post_form(&app, &web, &marie, &path, &[("csrf_token", &token), ("status", "active"), ("refill_interval_days", "90"), ("next_refill_on", &next)]).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("rien n'a été modifié"));
        let saved = post_form(&app, &web, &marie, &path, &[("csrf_token", &token), ("status", "active"), ("refill_interval_days", "35"), ("next_refill_on", &next)]).await;
        assert_eq!(saved.status(), 303);
        let after = json_of(app.get(&format!("/api/v1/patients/{patient}")).await, 200).await;
        assert_eq!((after["refill_interval_days"].as_i64(), after["next_refill_on"].as_str()), (Some(35), Some(next.as_str())));
        assert!(page(&app, &web, &marie, saved.headers()[LOCATION].to_str().unwrap()).await.contains("Modifications enregistrées"));
    }

    async fn the_web_app_is_available_in_english_with_its_dates_and_numbers(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        app.receive(store, app.seeded.insulin, "EN-1", &days_from_today(200), 1234).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let french = page(&app, &web, &marie, "/").await;
        assert!(french.contains("<html lang=\"fr\">") && french.contains("Aujourd'hui") && french.contains("1\u{202f}234"), "{french}");
        let chosen = web.get(app.url("/lang/en")).header(reqwest::header::COOKIE, &marie)
            .header(reqwest::header::REFERER, app.url("/stock")).send().await.unwrap();
        assert_eq!((chosen.status().as_u16(), chosen.headers()[LOCATION].to_str().unwrap()), (303, "/stock"));
        let lang = crate::web::set_cookie(&chosen, "mipstock_lang").expect("the choice is remembered").0;
        let cookies = format!("{marie}; mipstock_lang={lang}");
        let english = page(&app, &web, &cookies, "/").await;
        assert!(english.contains("<html lang=\"en\">") && english.contains("Stock and forecast") && english.contains("1,234")
            && english.contains(&chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive().to_string())
            && !english.contains("Aujourd'hui"), "{english}");
        for path in ["/alerts", "/refills", "/receive", "/stock", "/forecast", "/cold-chain", "/patients", "/recall"] {
            let shown = page(&app, &web, &cookies, path).await;
            assert!(shown.contains("Sign out") && !shown.contains("Se déconnecter"), "{path}: {shown}");
        }
        // A problem page, too.
        let missing = web.get(app.url("/refills/999999")).header(reqwest::header::COOKIE, &cookies).send().await.unwrap();
        assert!(missing.text().await.unwrap().contains("Back to Today"));
        // An unknown language is not a choice.
        assert_eq!(web.get(app.url("/lang/xx")).send().await.unwrap().status(), 404);
    }

    async fn a_person_changes_their_own_password_and_their_other_sessions_end(app) {
        pharmacist(&app).await;
        let web = client();
        let here = session(&app, &web, "marie", PASSWORD).await;
        let elsewhere = session(&app, &web, "marie", PASSWORD).await;
        let shown = page(&app, &web, &here, "/account").await;
        let token = hidden_token(&shown);
        let new = "un nouveau mot de passe";
        let wrong = post_form(&app, &web, &here, "/account/password",
            &[("csrf_token", &token), ("current_password", "not it at all"), ("new_password", new), ("confirm_password", new)]).await;
        assert_eq!(wrong.status(), 422);
        assert!(wrong.text().await.unwrap().contains("Mot de passe actuel incorrect."));
        let mismatch = post_form(&app, &web, &here, "/account/password",
            &[("csrf_token", &token), ("current_password", PASSWORD), ("new_password", new), ("confirm_password", "autre chose encore")]).await;
        assert_eq!(mismatch.status(), 422);
        let short = post_form(&app, &web, &here, "/account/password",
            &[("csrf_token", &token), ("current_password", PASSWORD), ("new_password", "court"), ("confirm_password", "court")]).await;
        assert_eq!(short.status(), 422);
        let changed = post_form(&app, &web, &here, "/account/password",
            &[("csrf_token", &token), ("current_password", PASSWORD), ("new_password", new), ("confirm_password", new)]).await;
        assert_eq!(changed.status(), 303);
        assert!(page(&app, &web, &here, "/account?saved=1").await.contains("vos autres sessions sont fermées"));
        let gone = web.get(app.url("/")).header(reqwest::header::COOKIE, &elsewhere).send().await.unwrap();
        assert_eq!((gone.status().as_u16(), gone.headers()[LOCATION].to_str().unwrap()), (303, "/login"));
        session(&app, &web, "marie", new).await;
        let audit = json_of(app.get("/api/v1/audit?limit=500").await, 200).await;
        assert!(audit["data"].as_array().unwrap().iter().any(|e| e["action"] == "user.password_changed" && e["actor_name"] == "user:marie"), "{audit}");
    }
}
