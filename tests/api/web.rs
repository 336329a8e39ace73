//! The web app over real HTTP: sign-in, the session cookie, anti-forgery tokens, lock-out, the
//! Today page (browser tests drive the same pages in chromium).

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect, Client, Response};
use serde_json::json;

use crate::helpers::{both_backends, days_from_today, json_of, TestApp};

pub(crate) const PASSWORD: &str = "pharmacie centrale 2026";

pub(crate) fn client() -> Client {
    Client::builder().redirect(redirect::Policy::none()).build().unwrap()
}

pub(crate) fn encode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of a cookie the response sets, and the whole Set-Cookie line.
pub(crate) fn set_cookie(response: &Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            let value = line.strip_prefix(&format!("{name}="))?.split(';').next()?.to_owned();
            Some((value, line.to_owned()))
        })
}

pub(crate) fn hidden_token(page: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let at = page.find(marker).expect("a csrf_token field") + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

pub(crate) async fn pharmacist(app: &TestApp) {
    let body = json!({"username": "marie", "display_name": "Marie Dupont", "role": "pharmacist", "password": PASSWORD});
    json_of(app.post("/api/v1/users", &body).await, 201).await;
}

/// The login page's nonce cookie and form token.
async fn login_form(app: &TestApp, web: &Client) -> (String, String) {
    let page = web.get(app.url("/login")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (nonce, line) = set_cookie(&page, "mipstock_login").expect("a login nonce cookie");
    assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict"), "{line}");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"fr\">") && html.contains("Connexion"),
        "{html}"
    );
    assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
    (nonce, hidden_token(&html))
}

async fn submit(app: &TestApp, web: &Client, cookie: &str, form: &[(&str, &str)]) -> Response {
    web.post(app.url("/login"))
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(form))
        .send()
        .await
        .unwrap()
}

/// Signs `username` in; the session cookie to send.
pub(crate) async fn session(app: &TestApp, web: &Client, username: &str, password: &str) -> String {
    let (nonce, token) = login_form(app, web).await;
    let signed = submit(
        app,
        web,
        &format!("mipstock_login={nonce}"),
        &[("username", username), ("password", password), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(signed.status(), 303);
    format!(
        "mipstock_session={}",
        set_cookie(&signed, "mipstock_session").unwrap().0
    )
}

pub(crate) async fn page(app: &TestApp, web: &Client, cookie: &str, path: &str) -> String {
    let response = web.get(app.url(path)).header(COOKIE, cookie).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

pub(crate) async fn post_form(
    app: &TestApp,
    web: &Client,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> Response {
    web.post(app.url(path))
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(form))
        .send()
        .await
        .unwrap()
}

both_backends! {
    async fn a_patients_usage_over_a_period_on_screen_and_as_csv(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        let lot = app.receive(store, app.seeded.insulin, "PAT-1", &days_from_today(200), 10).await;
        let patient = app.patient("MIP-PAGE").await;
        json_of(app.dispense(store, patient, json!([{"item_id": app.seeded.insulin, "lot_id": lot, "quantity": 2}])).await, 201).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let list = page(&app, &web, &marie, "/patients").await;
        assert!(list.contains(&format!("href=\"/patients/{patient}\"")) && list.contains("MIP-PAGE") && list.contains("actif"), "{list}");
        let one = page(&app, &web, &marie, &format!("/patients/{patient}")).await;
        assert!(one.contains("Patient MIP-PAGE") && one.contains("PAT-1") && one.contains("délivrance"), "{one}");
        let csv = web.get(app.url(&format!("/patients/{patient}/usage.csv"))).header(COOKIE, &marie).send().await.unwrap();
        let disposition = csv.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains("usage-MIP-PAGE-"), "{disposition}");
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("date,kind,item,lot_number,quantity,serial") && text.contains(",dispense,") && text.contains(",PAT-1,2,"), "{text}");
    }

    async fn a_recall_lists_every_patient_holding_the_lot_printable_and_as_csv(app) {
        pharmacist(&app).await;
        let store = app.location("STORE").await;
        let lot = app.receive(store, app.seeded.insulin, "RECALL-7", &days_from_today(200), 10).await;
        let patient = app.patient("MIP-RECALL").await;
        json_of(app.dispense(store, patient, json!([{"item_id": app.seeded.insulin, "lot_id": lot, "quantity": 3}])).await, 201).await;
        let web = client();
        let marie = session(&app, &web, "marie", PASSWORD).await;
        let html = page(&app, &web, &marie, "/recall?lot=RECALL-7").await;
        assert!(html.contains("MIP-RECALL") && html.contains("lot RECALL-7"), "{html}");
        assert!(html.contains(&format!("{} : 3", chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y"))), "{html}");
        assert!(html.contains("data-print") && html.contains("/recall.csv?lot=RECALL-7"));
        assert!(page(&app, &web, &marie, "/recall?lot=NOPE").await.contains("Aucun lot n° NOPE"));
        let csv = web.get(app.url("/recall.csv?lot=RECALL-7")).header(COOKIE, &marie).send().await.unwrap();
        assert_eq!(csv.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "item,lot_number,expires_on,patient_reference,units_held,movement_id,date,quantity,serials");
        assert!(lines[1].contains(",RECALL-7,") && lines[1].contains(",MIP-RECALL,3,"), "{text}");
        // Not signed in: to the sign-in page.
        assert_eq!(web.get(app.url("/recall.csv?lot=RECALL-7")).send().await.unwrap().status(), 303);
    }

    async fn a_pharmacist_acknowledges_an_alert_a_viewer_cannot_and_a_forged_form_is_refused(app) {
        pharmacist(&app).await;
        let body = json!({"username": "paul", "role": "viewer", "password": "lecture seule 2026"});
        json_of(app.post("/api/v1/users", &body).await, 201).await;
        let store = app.location("STORE").await;
        app.receive(store, app.seeded.insulin, "WEB-A", &days_from_today(200), 5).await;
        json_of(app.put("/api/v1/thresholds", &json!({"item_id": app.seeded.insulin, "reorder_point": 10, "reorder_quantity": 20})).await, 201).await;
        let alerts = json_of(app.get("/api/v1/alerts?state=open").await, 200).await;
        let id = alerts["data"][0]["id"].as_i64().unwrap();
        let web = client();
        let path = format!("/alerts/{id}/acknowledge");

        let viewer = session(&app, &web, "paul", "lecture seule 2026").await;
        let seen = page(&app, &web, &viewer, "/alerts").await;
        assert!(seen.contains("Stock bas") && !seen.contains("Marquer comme vue"), "a viewer sees, without buttons");
        let viewer_csrf = hidden_token(&seen);
        assert_eq!(post_form(&app, &web, &viewer, &path, &[("csrf_token", &viewer_csrf)]).await.status(), 403);

        let marie = session(&app, &web, "marie", PASSWORD).await;
        let listed = page(&app, &web, &marie, "/alerts").await;
        assert!(listed.contains("Marquer comme vue"), "{listed}");
        let csrf = hidden_token(&listed);
        // Another session's token, or none, is refused whatever the Origin says.
        let forged = web.post(app.url(&path)).header(COOKIE, &marie).header("Origin", app.url(""))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(encode(&[("csrf_token", &viewer_csrf)])).send().await.unwrap();
        assert_eq!(forged.status(), 403);
        assert_eq!(json_of(app.get(&format!("/api/v1/alerts/{id}")).await, 200).await["state"], "open");

        let done = post_form(&app, &web, &marie, &path, &[("csrf_token", &csrf)]).await;
        assert_eq!((done.status().as_u16(), done.headers()[LOCATION].to_str().unwrap()), (303, format!("/alerts?done={id}").as_str()));
        let alert = json_of(app.get(&format!("/api/v1/alerts/{id}")).await, 200).await;
        assert_eq!((alert["state"].as_str(), alert["acknowledged_by"].as_str()), (Some("acknowledged"), Some("user:marie")));
        assert!(page(&app, &web, &marie, &format!("/alerts?done={id}")).await.contains("marquée comme vue"));
    }

    async fn a_pharmacist_signs_in_sees_today_and_signs_out(app) {
        pharmacist(&app).await;
        app.receive(app.location("STORE").await, app.seeded.insulin, "WEB-1", &days_from_today(200), 1234).await;
        let web = client();
        let home = web.get(app.url("/")).send().await.unwrap();
        assert_eq!((home.status().as_u16(), home.headers()[LOCATION].to_str().unwrap()), (303, "/login"));

        let (nonce, token) = login_form(&app, &web).await;
        let cookie = format!("mipstock_login={nonce}");
        let wrong = submit(&app, &web, &cookie, &[("username", "marie"), ("password", "not the password"), ("csrf_token", &token)]).await;
        assert_eq!(wrong.status(), 401);
        let said = wrong.text().await.unwrap();
        assert!(said.contains("Identifiant ou mot de passe incorrect"), "{said}");
        // Without the form's token, or with another one, the sign-in is refused.
        let forged = submit(&app, &web, &cookie, &[("username", "marie"), ("password", PASSWORD), ("csrf_token", "guess")]).await;
        assert_eq!(forged.status(), 403);

        let signed = submit(&app, &web, &cookie, &[("username", "Marie"), ("password", PASSWORD), ("csrf_token", &token)]).await;
        assert_eq!((signed.status().as_u16(), signed.headers()[LOCATION].to_str().unwrap()), (303, "/"));
        let (session, line) = set_cookie(&signed, "mipstock_session").expect("a session cookie");
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict") && line.contains("Path=/"), "{line}");
        let cookie = format!("mipstock_session={session}");

        let today = web.get(app.url("/")).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(today.status(), 200);
        let html = today.text().await.unwrap();
        assert!(html.contains("Aujourd'hui") && html.contains("Marie Dupont") && html.contains("pharmacien"), "{html}");
        assert!(html.contains("Insuman") && html.contains("1\u{202f}234"), "French thousands: {html}");
        assert!(html.contains(&chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).format("%d/%m/%Y").to_string()), "French dates");
        let audit = json_of(app.get("/api/v1/audit?action=user.sign_in").await, 200).await;
        assert_eq!(audit["data"][0]["actor_name"], "user:marie", "{audit}");

        // Signing out needs the session's token too.
        let csrf = hidden_token(&html);
        let logout = |form: String| web.post(app.url("/logout")).header(COOKIE, &cookie).header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(form).send();
        assert_eq!(logout(encode(&[("csrf_token", "forged")])).await.unwrap().status(), 403);
        assert_eq!(web.get(app.url("/")).header(COOKIE, &cookie).send().await.unwrap().status(), 200, "still signed in");
        let out = logout(encode(&[("csrf_token", &csrf)])).await.unwrap();
        assert_eq!((out.status().as_u16(), out.headers()[LOCATION].to_str().unwrap()), (303, "/login"));
        assert_eq!(web.get(app.url("/")).header(COOKIE, &cookie).send().await.unwrap().status(), 303, "the session is gone");
    }

    async fn five_wrong_passwords_lock_the_account(app) {
        pharmacist(&app).await;
        let web = client();
        let (nonce, token) = login_form(&app, &web).await;
        let cookie = format!("mipstock_login={nonce}");
        for _ in 0..4 {
            let wrong = submit(&app, &web, &cookie, &[("username", "marie"), ("password", "wrong password!"), ("csrf_token", &token)]).await;
            assert_eq!(wrong.status(), 401);
        }
        let fifth = submit(&app, &web, &cookie, &[("username", "marie"), ("password", "wrong password!"), ("csrf_token", &token)]).await;
        assert_eq!(fifth.status(), 429);
        let right = submit(&app, &web, &cookie, &[("username", "marie"), ("password", PASSWORD), ("csrf_token", &token)]).await;
        assert_eq!(right.status(), 429, "locked, even with the right password");
        assert!(right.text().await.unwrap().contains("compte bloqué"));
        // An admin setting a new password lifts the lock.
        let users = json_of(app.get("/api/v1/users").await, 200).await;
        let id = users["data"][0]["id"].as_i64().unwrap();
        json_of(app.patch(&format!("/api/v1/users/{id}"), &json!({"password": "un nouveau mot de passe"})).await, 200).await;
        let signed = submit(&app, &web, &cookie, &[("username", "marie"), ("password", "un nouveau mot de passe"), ("csrf_token", &token)]).await;
        assert_eq!(signed.status(), 303);
        let session = format!("mipstock_session={}", set_cookie(&signed, "mipstock_session").unwrap().0);
        assert_eq!(web.get(app.url("/")).header(COOKIE, &session).send().await.unwrap().status(), 200);
        // An admin setting a new password signs out whoever used the old one.
        json_of(app.patch(&format!("/api/v1/users/{id}"), &json!({"password": "encore un autre mot de passe"})).await, 200).await;
        assert_eq!(web.get(app.url("/")).header(COOKIE, &session).send().await.unwrap().status(), 303, "signed out");
        let again = submit(&app, &web, &cookie, &[("username", "marie"), ("password", "encore un autre mot de passe"), ("csrf_token", &token)]).await;
        let session = format!("mipstock_session={}", set_cookie(&again, "mipstock_session").unwrap().0);
        // A disabled user is signed out and cannot sign in.
        json_of(app.patch(&format!("/api/v1/users/{id}"), &json!({"active": false})).await, 200).await;
        assert_eq!(web.get(app.url("/")).header(COOKIE, &session).send().await.unwrap().status(), 303, "signed out");
        let disabled = submit(&app, &web, &cookie, &[("username", "marie"), ("password", "encore un autre mot de passe"), ("csrf_token", &token)]).await;
        assert_eq!(disabled.status(), 401);
    }
}
