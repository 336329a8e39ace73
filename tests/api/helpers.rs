//! Test harness: the real application on a random port, over a fresh SQLite file or a fresh
//! PostgreSQL database, spoken to over real HTTP.

use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use mipstock::config::Settings;
use mipstock::startup::Application;
use rand::RngCore;
use reqwest::{Method, Response};
use serde_json::Value;

/// An admin URL of a PostgreSQL server where tests may create databases.
pub const POSTGRES_ENV: &str = "MIPSTOCK_TEST_POSTGRES_URL";
/// Set (as CI does) to fail rather than skip PostgreSQL tests when no server is configured.
pub const REQUIRE_POSTGRES_ENV: &str = "MIPSTOCK_TEST_REQUIRE_POSTGRES";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test, removed afterwards.
pub struct TestDb {
    pub url: String,
    /// Files of this test (the SQLite database, the file outbox).
    pub scratch: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl TestDb {
    /// `None` when PostgreSQL is asked for but not configured (and not required).
    pub fn create(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let scratch = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", scratch.path().join("mipstock.db").display());
                Some(TestDb {
                    url,
                    scratch,
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let admin_url = match std::env::var(POSTGRES_ENV) {
                    Ok(url) if !url.is_empty() => url,
                    _ => {
                        assert!(
                            std::env::var(REQUIRE_POSTGRES_ENV).is_err(),
                            "{REQUIRE_POSTGRES_ENV} is set but {POSTGRES_ENV} is not"
                        );
                        eprintln!("skipped on PostgreSQL: set {POSTGRES_ENV} to run it");
                        return None;
                    }
                };
                let name = format!("mipstock_test_{}", random_suffix());
                let mut admin = PgConnection::establish(&admin_url).expect("connect to the test PostgreSQL server");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .expect("URL with a database name");
                let scratch = tempfile::tempdir().expect("temporary directory");
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    scratch,
                    postgres: Some((admin_url, name)),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        if self.postgres.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// `mipstock verify` on this database: whether it is clean, and its report.
    pub fn verify(&self) -> (bool, String) {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_mipstock"))
            .arg("verify")
            .env("MIPSTOCK__DATABASE__URL", &self.url)
            .env("MIPSTOCK__LOG__LEVEL", "warn")
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }

    /// Asserts that `mipstock verify` finds this database clean.
    pub fn assert_verified(&self) {
        let (clean, report) = self.verify();
        assert!(clean, "verify found problems:\n{report}");
    }

    /// Drops a PostgreSQL database now, cutting its connections (to test outages).
    pub fn drop_postgres_database(&self) {
        if let Some((admin_url, name)) = &self.postgres {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.drop_postgres_database();
    }
}

/// Settings for a test instance: random port, its own database, quiet logs.
pub fn test_settings(db: &TestDb) -> Settings {
    let mut settings = Settings::load(None).expect("default settings");
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.workers = 2;
    settings.server.max_body_bytes = 65536;
    settings.database.url = mipstock::config::Secret::new(db.url.clone());
    settings.database.pool_size = 5;
    settings.database.connect_timeout_seconds = 2;
    settings.email.file_dir = db.scratch.path().join("outbox").display().to_string();
    settings
}

pub struct TestApp {
    pub backend: Backend,
    pub address: String,
    pub admin_token: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    /// Ids of the catalog a fresh database is seeded with, looked up by code.
    pub seeded: Seeded,
}

/// The seeded catalog items the tests use, by their codes.
#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    pub insulin: i64,
    pub fill_kit: i64,
    pub buffer: i64,
    pub naoh: i64,
}

impl Seeded {
    pub const INSULIN: &'static str = "INS-400-10ML";
    pub const FILL_KIT: &'static str = "MIP-FILL-KIT";
    pub const BUFFER: &'static str = "MIP-BUFFER";
    pub const NAOH: &'static str = "MIP-NAOH";

    /// Looks the codes up through the API at `base` with an admin `token`.
    pub async fn look_up(client: &reqwest::Client, base: &str, token: &str) -> Seeded {
        let id = |code: &'static str| async move {
            let found: Value = client
                .get(format!("{base}/api/v1/items?q={code}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("catalog answered")
                .json()
                .await
                .expect("catalog as JSON");
            found["data"]
                .as_array()
                .and_then(|items| items.iter().find(|i| i["code"] == code))
                .and_then(|i| i["id"].as_i64())
                .unwrap_or_else(|| panic!("seeded item {code} missing"))
        };
        Seeded {
            insulin: id(Self::INSULIN).await,
            fill_kit: id(Self::FILL_KIT).await,
            buffer: id(Self::BUFFER).await,
            naoh: id(Self::NAOH).await,
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// An app whose settings `adjust` changes first (SMTP server, short intervals…).
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    let db = TestDb::create(backend)?;
    let mut settings = test_settings(&db);
    adjust(&mut settings);
    let mut app = Application::build(settings).await.expect("application starts");
    let admin_token = app
        .take_bootstrap_token()
        .expect("a fresh database issues a bootstrap token")
        .expose()
        .to_owned();
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    let seeded = Seeded::look_up(&client, &address, &admin_token).await;
    Some(TestApp {
        backend,
        address,
        admin_token,
        client,
        db,
        seeded,
    })
}

impl TestApp {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request with the given token (or none).
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, Some(&self.admin_token), None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(Method::POST, path, Some(&self.admin_token), Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.send(Method::PUT, path, Some(&self.admin_token), Some(body)).await
    }

    /// Registers one patient per reference; returns their ids.
    pub async fn lot_patients(&self, references: &[&str]) -> Vec<i64> {
        let mut ids = Vec::new();
        for reference in references {
            ids.push(self.patient(reference).await);
        }
        ids
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.send(Method::PATCH, path, Some(&self.admin_token), Some(body))
            .await
    }

    /// Issues a token of `role` through the API and returns its secret.
    pub async fn token(&self, name: &str, role: &str) -> (i64, String) {
        let body = json_of(
            self.post("/api/v1/tokens", &serde_json::json!({"name": name, "role": role}))
                .await,
            201,
        )
        .await;
        (body["id"].as_i64().unwrap(), body["token"].as_str().unwrap().to_owned())
    }
}

/// Asserts the status and returns the JSON body.
pub async fn json_of(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json answer with `status` and a type ending in `slug`; returns it.
pub async fn problem_of(response: Response, status: u16, slug: &str) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = json_of(response, status).await;
    assert_eq!(
        content_type.as_deref(),
        Some("application/problem+json"),
        "body: {body}"
    );
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string());
    assert!(body["detail"].is_string());
    let problem_type = body["type"].as_str().expect("type");
    assert!(
        problem_type.ends_with(&format!("/{slug}")),
        "type {problem_type} is not {slug}"
    );
    body
}

/// Runs each test body once on SQLite and once on PostgreSQL.
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[actix_web::test]
                async fn $name() {
                    let $app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await.expect("SQLite");
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[actix_web::test]
                async fn $name() {
                    let Some($app) = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await else { return };
                    $body
                }
            )*
        }
    };
}
pub(crate) use both_backends;

/// For tests that drive the binary or the library rather than a spawned app: runs `$test(db)`
/// once on a fresh SQLite file and once on a fresh PostgreSQL database (skipped when none is
/// configured), as `$test::sqlite` and `$test::postgres`.
macro_rules! on_both_databases {
    ($test:ident) => {
        mod $test {
            #[test]
            fn sqlite() {
                let db = crate::helpers::TestDb::create(crate::helpers::Backend::Sqlite).expect("SQLite");
                super::$test(db);
            }
            #[test]
            fn postgres() {
                if let Some(db) = crate::helpers::TestDb::create(crate::helpers::Backend::Postgres) {
                    super::$test(db);
                }
            }
        }
    };
    (async $test:ident) => {
        mod $test {
            #[actix_web::test]
            async fn sqlite() {
                let db = crate::helpers::TestDb::create(crate::helpers::Backend::Sqlite).expect("SQLite");
                super::$test(db).await;
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(db) = crate::helpers::TestDb::create(crate::helpers::Backend::Postgres) {
                    super::$test(db).await;
                }
            }
        }
    };
}
pub(crate) use on_both_databases;

impl TestApp {
    /// Runs SQL directly on the test database: only to set up what the API rightly refuses,
    /// such as a lot that has already expired.
    pub fn execute_sql(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        let pool = mipstock::db::DbPool::new(&self.db.url, 1, Duration::from_secs(5)).unwrap();
        pool.get().unwrap().batch_execute(sql).unwrap();
    }

    pub async fn location(&self, code: &str) -> i64 {
        let body = serde_json::json!({"code": code, "name": format!("Location {code}")});
        json_of(self.post("/api/v1/locations", &body).await, 201).await["id"]
            .as_i64()
            .unwrap()
    }

    pub async fn patient(&self, reference: &str) -> i64 {
        let body = serde_json::json!({"reference": reference});
        json_of(self.post("/api/v1/patients", &body).await, 201).await["id"]
            .as_i64()
            .unwrap()
    }

    /// Receives `quantity` of `item` as lot `lot_number`; returns the lot id.
    pub async fn receive(&self, location: i64, item: i64, lot_number: &str, expires_on: &str, quantity: i64) -> i64 {
        self.receive_days_ago(0, location, item, lot_number, expires_on, quantity)
            .await
    }

    /// Like `receive`, dated `days` ago (a lot cannot leave before it arrived).
    pub async fn receive_days_ago(
        &self,
        days: i64,
        location: i64,
        item: i64,
        lot_number: &str,
        expires_on: &str,
        quantity: i64,
    ) -> i64 {
        let occurred_at = (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
        let body = serde_json::json!({"kind": "receipt", "location_id": location, "occurred_at": occurred_at, "lines": [
            {"item_id": item, "lot_number": lot_number, "expires_on": expires_on, "quantity": quantity}]});
        let movement = json_of(self.post("/api/v1/movements", &body).await, 201).await;
        movement["lines"][0]["lot_id"].as_i64().unwrap()
    }

    /// Available units of `item` at `location`.
    pub async fn available(&self, item: i64, location: i64) -> i64 {
        let stock = json_of(
            self.get(&format!("/api/v1/stock?item_id={item}&location_id={location}"))
                .await,
            200,
        )
        .await;
        stock["data"][0]["available"].as_i64().unwrap()
    }

    /// `mipstock verify` on this app's database.
    pub fn verify(&self) -> (bool, String) {
        self.db.verify()
    }
}

/// A date `days` from today, as the API writes it.
pub fn days_from_today(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

impl TestApp {
    /// Another instance of the service on this app's database (several instances behind a
    /// load balancer); returns its base URL.
    pub async fn second_instance(&self, adjust: impl FnOnce(&mut Settings)) -> String {
        let mut settings = test_settings(&self.db);
        adjust(&mut settings);
        let app = Application::build(settings).await.expect("second instance starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        address
    }
}

impl TestApp {
    /// Dispenses `lines` at `location` to `patient` (FEFO when a line names no lot); the raw
    /// answer, for tests that expect a refusal.
    pub async fn dispense(&self, location: i64, patient: i64, lines: Value) -> Response {
        let body =
            serde_json::json!({"kind": "dispense", "location_id": location, "patient_id": patient, "lines": lines});
        self.post("/api/v1/movements", &body).await
    }

    /// Asserts that `mipstock verify` finds the store clean.
    pub fn assert_verified(&self) {
        self.db.assert_verified();
    }
}
