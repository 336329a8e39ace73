//! Sign-in under attack (the second outside attack): the lock-out holds under concurrency,
//! a burst of sign-ins does not exhaust memory, and an unknown username is refused after the
//! same work as a known one. On both databases.

use futures_util::future::join_all;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::Client;
use serde_json::json;

use crate::helpers::{both_backends, json_of, on_both_databases, TestApp, TestDb};
use crate::process::ServerProcess;
use crate::web::{client, encode, hidden_token, pharmacist, set_cookie, PASSWORD};

/// A login form's nonce cookie and token, fetched from `base`.
async fn login_form(web: &Client, base: &str) -> (String, String) {
    let page = web.get(format!("{base}/login")).send().await.unwrap();
    let (nonce, _) = set_cookie(&page, "mipstock_login").expect("a login nonce cookie");
    (
        format!("mipstock_login={nonce}"),
        hidden_token(&page.text().await.unwrap()),
    )
}

async fn attempt(web: &Client, base: &str, form: &(String, String), username: &str, password: &str) -> u16 {
    web.post(format!("{base}/login"))
        .header(COOKIE, &form.0)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(&[
            ("username", username),
            ("password", password),
            ("csrf_token", &form.1),
        ]))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The shortest of `n` refusals of `username`, in milliseconds.
async fn fastest_refusal(app: &TestApp, web: &Client, form: &(String, String), username: &str, n: usize) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..n {
        let started = std::time::Instant::now();
        let status = attempt(web, &app.address, form, username, "not the password at all").await;
        assert_eq!(status, 401);
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    best
}

both_backends! {
    async fn forty_wrong_passwords_at_once_are_checked_five_times_at_most(app) {
        pharmacist(&app).await;
        let web = client();
        let form = login_form(&web, &app.address).await;
        let mut attempts = (0..40).map(|_| attempt(&web, &app.address, &form, "marie", "wrong password!"));
        // 20 at a time, twice.
        let mut statuses = Vec::new();
        for _ in 0..2 {
            let batch: Vec<_> = attempts.by_ref().take(20).collect();
            statuses.extend(join_all(batch).await);
        }
        let refused = statuses.iter().filter(|s| **s == 401).count();
        let locked = statuses.iter().filter(|s| **s == 429).count();
        // Four were checked and refused, the fifth checked locked the account, the rest never
        // reached a hash.
        assert_eq!((refused, locked), (4, 36), "{statuses:?}");
        assert_eq!(attempt(&web, &app.address, &form, "marie", PASSWORD).await, 429, "locked, even with the right password");
    }

    async fn an_unknown_username_is_refused_after_as_much_work_as_a_known_one(app) {
        pharmacist(&app).await;
        let web = client();
        let form = login_form(&web, &app.address).await;
        let known = fastest_refusal(&app, &web, &form, "marie", 3).await;
        // A known account: clear its count so that the next checks are not locked out.
        let users = json_of(app.get("/api/v1/users").await, 200).await;
        let id = users["data"][0]["id"].as_i64().unwrap();
        json_of(app.patch(&format!("/api/v1/users/{id}"), &json!({"password": PASSWORD})).await, 200).await;
        let unknown = fastest_refusal(&app, &web, &form, "nobody-here", 3).await;
        // Both run one Argon2id verification (tens of ms): the unknown one once took 1 ms.
        assert!(unknown > known * 0.5, "unknown {unknown:.1} ms, known {known:.1} ms");
    }
}

/// 150 sign-ins at once against the real binary: every one answered, and the process stays
/// under 100 MB (it once went from 27 to 696 MB and stayed there).
async fn a_burst_of_sign_ins_stays_under_100_mb(db: TestDb) {
    let server = ServerProcess::start(&db, &[("MIPSTOCK__DATABASE__POOL_SIZE", "8".into())]).await;
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let token = server.bootstrap_token();
    let web = client();
    let body = json!({"username": "marie", "display_name": "Marie", "role": "pharmacist", "password": PASSWORD});
    let created = web
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let rss = |key: &str| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap()
            .parse::<u64>()
            .unwrap()
            / 1024
    };
    let before = rss("VmRSS:");
    let mut forms = Vec::new();
    for _ in 0..150 {
        forms.push(login_form(&web, base).await);
    }
    let burst = forms.iter().map(|form| attempt(&web, base, form, "marie", PASSWORD));
    let statuses = join_all(burst).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let (peak, now) = (rss("VmHWM:"), rss("VmRSS:"));
    eprintln!("150 simultaneous sign-ins: RSS {before} MB before, peak {peak} MB, {now} MB after");
    assert!(peak < 100, "peak RSS {peak} MB (now {now} MB)");
}
on_both_databases!(async a_burst_of_sign_ins_stays_under_100_mb);
