//! The small holes the second outside attack found, each closed and kept closed, on both
//! databases: page headers and cookies, caching of patient data, the last admin, the language
//! link's redirect, blank passwords, impossible planned dates, the forecast's paging, and a web
//! write's alert email leaving at once.

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, REFERER};
use serde_json::json;

use crate::helpers::{both_backends, days_from_today, json_of, problem_of, spawn_app_with};
use crate::web::{client, hidden_token, page, pharmacist, post_form, session, PASSWORD};

both_backends! {
    async fn pages_forbid_framing_sniffing_and_foreign_scripts(app) {
        let login = client().get(app.url("/login")).send().await.unwrap();
        let headers = login.headers();
        let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "same-origin");
        let cookie = headers["set-cookie"].to_str().unwrap();
        assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
        // Behind HTTPS (server.public_url), every cookie is Secure.
        let https = spawn_app_with(app.backend(), |s| s.server.public_url = "https://mipstock.hospital.example".into()).await.unwrap();
        let login = client().get(https.url("/login")).send().await.unwrap();
        assert!(login.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
    }

    async fn patient_data_is_never_cached(app) {
        let patient = app.patient("MIP-1").await;
        for path in [format!("/api/v1/patients/{patient}"), format!("/api/v1/patients/{patient}/usage"), "/api/v1/patients".into()] {
            let answer = app.get(&path).await;
            assert_eq!(answer.headers()[CACHE_CONTROL], "no-store", "{path}");
        }
        let csv = app.client.get(app.url(&format!("/api/v1/patients/{patient}/usage"))).bearer_auth(&app.admin_token)
            .header("accept", "text/csv").send().await.unwrap();
        assert_eq!(csv.headers()[CACHE_CONTROL], "no-store");
        pharmacist(&app).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let csv = web.get(app.url(&format!("/patients/{patient}/usage.csv"))).header("cookie", &marie).send().await.unwrap();
        assert_eq!(csv.headers()[CACHE_CONTROL], "no-store");
    }

    async fn the_last_active_admin_stays_an_admin(app) {
        let body = json!({"username": "adele", "display_name": "Adèle", "role": "admin", "password": PASSWORD});
        let adele = json_of(app.post("/api/v1/users", &body).await, 201).await["id"].as_i64().unwrap();
        let path = format!("/api/v1/users/{adele}");
        let problem = problem_of(app.patch(&path, &json!({"role": "pharmacist"})).await, 409, "last-admin").await;
        assert!(problem["detail"].as_str().unwrap().contains("last active admin"), "{problem}");
        problem_of(app.patch(&path, &json!({"active": false})).await, 409, "last-admin").await;
        // With a second admin, one may step down; the other then cannot.
        let body = json!({"username": "bruno", "display_name": "Bruno", "role": "admin", "password": PASSWORD});
        let bruno = json_of(app.post("/api/v1/users", &body).await, 201).await["id"].as_i64().unwrap();
        json_of(app.patch(&path, &json!({"role": "pharmacist"})).await, 200).await;
        problem_of(app.patch(&format!("/api/v1/users/{bruno}"), &json!({"active": false})).await, 409, "last-admin").await;
        // A disabled user is enabled again from the command line.
        json_of(app.patch(&path, &json!({"active": false})).await, 200).await;
        let enabled = std::process::Command::new(env!("CARGO_BIN_EXE_mipstock"))
            .args(["user", "enable", &adele.to_string()])
            .env("MIPSTOCK__DATABASE__URL", &app.db.url)
            .env("MIPSTOCK__LOG__LEVEL", "warn")
            .output()
            .unwrap();
        assert!(enabled.status.success(), "{}", String::from_utf8_lossy(&enabled.stderr));
        assert_eq!(json_of(app.get(&path).await, 200).await["active"], true);
    }

    async fn the_language_link_goes_back_to_this_sites_pages_only(app) {
        let host = app.address.trim_start_matches("http://").to_owned();
        let back = |referer: String| {
            let request = client().get(app.url("/lang/en")).header(REFERER, referer);
            async move { request.send().await.unwrap().headers()[LOCATION].to_str().unwrap().to_owned() }
        };
        assert_eq!(back(format!("http://{host}/stock?location=2")).await, "/stock?location=2");
        assert_eq!(back("https://evil.example/stock".into()).await, "/");
        assert_eq!(back(format!("http://{host}//evil.example")).await, "/");
        assert_eq!(back(format!("http://{host}/\\evil.example")).await, "/");
    }

    async fn blank_passwords_and_impossible_planned_dates_are_refused(app) {
        let body = json!({"username": "blank", "role": "viewer", "password": " ".repeat(12)});
        let problem = problem_of(app.post("/api/v1/users", &body).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "password");
        let problem = problem_of(app.post("/api/v1/patients", &json!({"reference": "MIP-Z", "next_refill_on": "0000-01-01"})).await, 422, "validation-failed").await;
        assert_eq!(problem["errors"][0]["field"], "next_refill_on", "{problem}");
        let patient = app.patient("MIP-Y").await;
        problem_of(app.patch(&format!("/api/v1/patients/{patient}"), &json!({"next_refill_on": "2150-01-01"})).await, 422, "validation-failed").await;
        json_of(app.patch(&format!("/api/v1/patients/{patient}"), &json!({"next_refill_on": days_from_today(10)})).await, 200).await;
        assert_eq!(json_of(app.get("/api/v1/users").await, 200).await["data"], json!([]));
    }

    async fn the_forecast_pages_like_every_list(app) {
        for bad in ["limit=0", "limit=501", "cursor=nope"] {
            problem_of(app.get(&format!("/api/v1/forecast?{bad}")).await, 400, "malformed-request").await;
        }
        let all = json_of(app.get("/api/v1/forecast?limit=500").await, 200).await["data"].as_array().unwrap().len();
        assert!(all >= 3, "{all} active items");
        let mut seen = Vec::new();
        let mut next = Some("/api/v1/forecast?limit=2".to_owned());
        while let Some(path) = next {
            let page = json_of(app.get(&path).await, 200).await;
            assert!(page["data"].as_array().unwrap().len() <= 2);
            seen.extend(page["data"].as_array().unwrap().iter().map(|f| f["item_id"].as_i64().unwrap()));
            next = page["next_cursor"].as_str().map(|c| format!("/api/v1/forecast?limit=2&cursor={c}"));
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!((seen.len(), sorted), (all, seen.clone()), "every item once, in id order");
    }

    async fn a_web_writes_alert_email_leaves_at_once(app) {
        let app = spawn_app_with(app.backend(), |s| {
            s.alerts.scan_interval_seconds = 3600;
            s.email.recipients = vec!["pharmacy@hospital.example".into()];
        }).await.unwrap();
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        let lot = app.receive(store, app.seeded.insulin, "W-1", &days_from_today(200), 2).await;
        json_of(app.put("/api/v1/thresholds", &json!({"item_id": app.seeded.insulin, "reorder_point": 1, "reorder_quantity": 10})).await, 201).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let shown = page(&app, &web, &marie, "/stock").await;
        let (lot, store, insulin) = (lot.to_string(), store.to_string(), app.seeded.insulin.to_string());
        let wasted = post_form(&app, &web, &marie, "/stock/waste", &[("csrf_token", &hidden_token(&shown)), ("item_id", &insulin),
            ("lot_id", &lot), ("location_id", &store), ("lines[0].quantity", "2"), ("reason", "damaged")]).await;
        assert_eq!(wasted.status(), 303);
        // The scan runs hourly here: only the write's own wake-up can have sent it.
        let started = std::time::Instant::now();
        loop {
            let log = json_of(app.get("/api/v1/notifications").await, 200).await;
            let sent = log["data"].as_array().unwrap().iter().filter(|n| n["status"] == "sent").count();
            if sent >= 2 {
                break;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "{log}");
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}
