//! The web app in a real browser: Debian's chromium, headless, driven through chromedriver's
//! WebDriver protocol (spoken directly over HTTP: a handful of calls). Skipped when chromedriver
//! is not installed, unless MIPSTOCK_TEST_REQUIRE_BROWSER is set (as CI does, after installing it).
//! Writes a screenshot of each screen (SQLite run) to MIPSTOCK_SCREENSHOTS (default
//! target/screenshots); `scripts/screenshots` refreshes the committed ones under docs/.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{days_from_today, json_of, Backend, TestApp};

const REQUIRE_BROWSER_ENV: &str = "MIPSTOCK_TEST_REQUIRE_BROWSER";
const SCREENSHOTS_ENV: &str = "MIPSTOCK_SCREENSHOTS";
/// The W3C WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const ENTER: &str = "\u{e007}";
const CONTROL: &str = "\u{e009}";

/// One browser at a time: two cores do not run two chromiums and the suite well.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A headless chromium under its own chromedriver, ended with the test.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
    shots: Option<PathBuf>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending chromedriver ends its browser too.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// `None` (skipped) when chromedriver is missing and not required.
    pub async fn start(backend: Backend) -> Option<Browser> {
        let Some(driver) = chromedriver() else {
            assert!(
                std::env::var_os(REQUIRE_BROWSER_ENV).is_none(),
                "{REQUIRE_BROWSER_ENV} is set but chromedriver is not installed (apt-get install chromium chromium-driver)"
            );
            eprintln!("note: chromedriver not installed: browser test skipped");
            return None;
        };
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            // French dates in date inputs, as at a French pharmacy's counter.
            .env("LANGUAGE", "fr")
            .env("LANG", "fr_FR.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let root = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{root}/status")).send().await;
            if let Ok(r) = ready {
                if r.json::<Value>()
                    .await
                    .map(|v| v["value"]["ready"] == true)
                    .unwrap_or(false)
                {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800", "--lang=fr-FR"]
        }}}});
        let created: Value = http
            .post(format!("{root}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"));
        let shots = (backend == Backend::Sqlite).then(|| {
            let dir = std::env::var_os(SCREENSHOTS_ENV)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        });
        Some(Browser {
            http,
            session: format!("{root}/session/{id}"),
            driver: child,
            shots,
        })
    }

    async fn try_call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        match reply["value"]["error"].as_str() {
            Some(error) => Err(format!("WebDriver {path}: {error}: {}", reply["value"]["message"])),
            None => Ok(reply["value"].clone()),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The page's text once it says `needle` (a navigation a script started may still be on its way).
    pub async fn text_with(&self, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let script = json!({"script": "return document.body ? document.body.innerText : '';", "args": []});
            let text = self
                .try_call(reqwest::Method::POST, "/execute/sync", Some(script))
                .await
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if text.contains(needle) || started.elapsed() > Duration::from_secs(15) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {found}"))
            .to_owned()
    }

    pub async fn count(&self, css: &str) -> usize {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .unwrap()
        .len()
    }

    /// Types into the element as a keyboard (or a keyboard-wedge scanner) would.
    pub async fn type_into(&self, css: &str, keys: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({"text": keys})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn value(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/property/value"),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The window's size, as a tablet's or a desktop's.
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    pub async fn execute(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Saves the screen as `docs/screenshots/<name>.png`-to-be (SQLite run only), after checking
    /// that the page fits the window's width (nothing to scroll sideways).
    pub async fn screenshot(&self, name: &str) {
        let fits = self
            .execute("return document.documentElement.scrollWidth <= window.innerWidth + 1;")
            .await;
        assert_eq!(fits, Value::Bool(true), "{name} is wider than the window");
        let Some(dir) = &self.shots else { return };
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }
}

/// What a keyboard-wedge scanner types for an Insuman box: the GS separator as Ctrl+], then Enter.
fn scanned(lot: &str, serial: &str) -> String {
    format!("]d2010340095857484917301231{CONTROL}]{CONTROL}10{lot}{CONTROL}]{CONTROL}21{serial}")
}

struct Day {
    marie: &'static str,
    paul: &'static str,
    due: i64,
    order: i64,
    fridge: i64,
}

const MARIE_PASSWORD: &str = "pharmacie centrale 2026";
const PAUL_PASSWORD: &str = "lecture seule 2026";

/// A small pharmacy: stock of the refill bundle, boxes with serials, a threshold that opens an
/// alert, an order on its way, two patients due.
async fn pharmacy(app: &TestApp) -> Day {
    for (username, name, role, password) in [
        ("marie", "Marie Dupont", "pharmacist", MARIE_PASSWORD),
        ("paul", "Paul Martin", "viewer", PAUL_PASSWORD),
        ("chef", "Chef de service", "admin", MARIE_PASSWORD),
    ] {
        let body = json!({"username": username, "display_name": name, "role": role, "password": password});
        json_of(app.post("/api/v1/users", &body).await, 201).await;
    }
    let store = app.location("PHARMACIE").await;
    let fridge = app.location("FRIGO-SERVICE").await;
    app.receive(store, app.seeded.fill_kit, "KIT-24A", &days_from_today(300), 6)
        .await;
    app.receive(store, app.seeded.buffer, "BUF-24B", &days_from_today(250), 6)
        .await;
    app.receive(store, app.seeded.naoh, "NAOH-7", &days_from_today(20), 3)
        .await;
    app.receive(store, app.seeded.insulin, "INS-OLD", &days_from_today(45), 3)
        .await;
    let boxes = ["SN-A", "SN-B", "SN-C"]
        .iter()
        .map(|serial| json!({"scan": format!("]d2010340095857484917301231\u{1d}10INS-NEW\u{1d}21{serial}")}))
        .collect::<Vec<_>>();
    json_of(
        app.post(
            "/api/v1/movements",
            &json!({"kind": "receipt", "location_id": store, "lines": boxes}),
        )
        .await,
        201,
    )
    .await;
    let to_fridge = json!({"kind": "transfer", "location_id": store, "to_location_id": fridge,
        "lines": [{"item_id": app.seeded.insulin, "quantity": 2}]});
    json_of(app.post("/api/v1/movements", &to_fridge).await, 201).await;
    let threshold = json!({"item_id": app.seeded.insulin, "reorder_point": 12, "reorder_quantity": 20});
    json_of(app.put("/api/v1/thresholds", &threshold).await, 201).await;
    let supplier = json_of(
        app.post(
            "/api/v1/suppliers",
            &json!({"code": "SANOFI", "name": "Sanofi", "lead_time_days": 10}),
        )
        .await,
        201,
    )
    .await;
    let order = json_of(
        app.post(
            "/api/v1/orders",
            &json!({"supplier_id": supplier["id"], "reference": "CDE-2026-118",
        "lines": [{"item_id": app.seeded.insulin, "quantity": 2}]}),
        )
        .await,
        201,
    )
    .await;
    let due = app.patient("MIP-0007").await;
    json_of(
        app.patch(
            &format!("/api/v1/patients/{due}"),
            &json!({"next_refill_on": days_from_today(2)}),
        )
        .await,
        200,
    )
    .await;
    let later = app.patient("MIP-0012").await;
    json_of(
        app.patch(
            &format!("/api/v1/patients/{later}"),
            &json!({"next_refill_on": days_from_today(9)}),
        )
        .await,
        200,
    )
    .await;
    Day {
        marie: "marie",
        paul: "paul",
        due,
        order: order["id"].as_i64().unwrap(),
        fridge,
    }
}

async fn sign_in(browser: &Browser, app: &TestApp, username: &str, password: &str) {
    browser.goto(&app.url("/login")).await;
    browser.type_into("#username", username).await;
    browser.type_into("#password", &format!("{password}{ENTER}")).await;
    browser.text_with("Se déconnecter").await;
    assert!(browser.url().await.ends_with('/'), "signed in lands on Today");
}

crate::helpers::both_backends! {
    async fn the_pharmacists_day_in_a_real_browser(app) {
        let _one = ONE_BROWSER.lock().await;
        let Some(browser) = Browser::start(app.backend()).await else { return };
        let day = pharmacy(&app).await;

        // Sign-in: a wrong password is said, the right one lands on Today.
        browser.goto(&app.url("/")).await;
        assert!(browser.url().await.ends_with("/login"));
        browser.type_into("#username", day.marie).await;
        browser.type_into("#password", &format!("not the password{ENTER}")).await;
        assert!(browser.text_with("Identifiant ou mot de passe incorrect").await.contains("Identifiant ou mot de passe incorrect"));
        browser.screenshot("login").await;
        sign_in(&browser, &app, day.marie, MARIE_PASSWORD).await;
        let today = browser.text_with("CDE-2026-118").await;
        assert!(today.contains("Marie Dupont") && today.contains("MIP-0007") && today.contains("CDE-2026-118"), "{today}");
        browser.screenshot("today").await;

        // A refill by scan: two boxes typed by the wedge scanner (GS as Ctrl+]), the rest FEFO.
        browser.goto(&app.url("/refills")).await;
        browser.screenshot("refills").await;
        browser.click(&format!("a[href='/refills/{}']", day.due)).await;
        browser.type_into("#scans", &format!("{}{ENTER}{}{ENTER}", scanned("INS-NEW", "SN-A"), scanned("INS-NEW", "SN-B"))).await;
        assert!(browser.value("#scans").await.contains("INS-NEW\u{241d}21SN-A"), "the scanner's GS is kept");
        browser.click("#record-refill").await;
        let refilled = browser.text_with("enregistré").await;
        assert!(refilled.contains("enregistré") && refilled.contains("SN-A") && refilled.contains("SN-B") && refilled.contains("KIT-24A"), "{refilled}");
        browser.screenshot("refill").await;

        // A receipt against the order: the scanner's Enter reads the code into the fields.
        browser.goto(&app.url("/receive")).await;
        browser.click(&format!("a[href='/receive?order={}']", day.order)).await;
        browser.type_into("input[name='lines[0].scan']", &format!("{}{ENTER}", scanned("INS-RCV", "SN-R1"))).await;
        browser.text_with("encore enregistré").await;
        assert_eq!(browser.value("input[name='lines[0].lot_number']").await, "INS-RCV");
        assert_eq!(browser.value("input[name='lines[0].serial']").await, "SN-R1");
        browser.screenshot("receive").await;
        browser.click("#record-receipt").await;
        assert!(browser.text_with("Mouvement n°").await.contains("enregistré"));
        let order = json_of(app.get(&format!("/api/v1/orders/{}", day.order)).await, 200).await;
        assert_eq!(order["lines"][0]["received_quantity"], 1);

        // An alert acknowledged.
        browser.goto(&app.url("/alerts")).await;
        browser.screenshot("alerts").await;
        browser.click("form[action$='/acknowledge'] button").await;
        assert!(browser.text_with("marquée comme vue").await.contains("marquée comme vue"));
        let open = json_of(app.get("/api/v1/alerts?state=open").await, 200).await;
        assert!(open["data"].as_array().unwrap().iter().all(|a| a["kind"] != "low_stock"), "{open}");

        // A recall: the lot number to the patient who received it.
        browser.goto(&app.url("/recall")).await;
        browser.type_into("#lot", &format!("INS-NEW{ENTER}")).await;
        let recall = browser.text_with("MIP-0007").await;
        assert!(recall.contains("MIP-0007") && recall.contains("SN-A"), "{recall}");
        browser.screenshot("recall").await;

        browser.goto(&app.url("/patients")).await;
        browser.screenshot("patients").await;
        // A tablet held upright: the day's screens fit its width.
        browser.resize(800, 1100).await;
        for (path, name) in [("/", "today-tablet"), ("/receive", "receive-tablet"), ("/stock", "stock-tablet"), ("/refills", "refills-tablet")] {
            browser.goto(&app.url(path)).await;
            browser.screenshot(name).await;
        }
        browser.resize(1280, 800).await;
        browser.goto(&app.url(&format!("/patients/{}", day.due))).await;
        browser.screenshot("patient").await;

        // Stock, the forecast of insulin (its suggestion ordered), the cold chain.
        browser.goto(&app.url("/stock")).await;
        assert!(browser.text_with("INS-NEW").await.contains("FRIGO-SERVICE"));
        browser.screenshot("stock").await;
        browser.goto(&app.url(&format!("/forecast?item={}", app.seeded.insulin))).await;
        assert!(browser.count("svg polyline").await == 1);
        browser.screenshot("forecast").await;
        // It started now: the fridge's insulin (moved there at the start of the day) is held.
        let started = chrono::Utc::now().to_rfc3339();
        let warm = json!({"started_at": started, "max_temperature_c": 12.5, "note": "porte restée ouverte"});
        let excursion = json_of(app.post(&format!("/api/v1/locations/{}/excursions", day.fridge), &warm).await, 201).await;
        assert!(!excursion["held"].as_array().unwrap().is_empty(), "{excursion}");
        browser.goto(&app.url("/cold-chain")).await;
        browser.screenshot("cold-chain").await;
        browser.click("button[name='decision'][value='release']").await;
        assert!(browser.text_with("libéré par").await.contains("libéré par user:marie"));

        // A forged write (the page's anti-forgery token replaced) is refused; nothing recorded.
        let before = json_of(app.get(&format!("/api/v1/movements?patient_id={}", day.due)).await, 200).await["data"].as_array().unwrap().len();
        browser.goto(&app.url(&format!("/refills/{}", day.due))).await;
        browser.execute("document.querySelectorAll('input[name=csrf_token]').forEach(function (i) { i.value = 'forged'; });").await;
        browser.click("#record-refill").await;
        assert!(browser.text_with("Jeton anti-falsification").await.contains("Jeton anti-falsification absent ou invalide"));
        let after = json_of(app.get(&format!("/api/v1/movements?patient_id={}", day.due)).await, 200).await["data"].as_array().unwrap().len();
        assert_eq!(before, after);

        // A viewer sees but cannot change: no forms, and a write made by hand is refused.
        browser.goto(&app.url("/")).await;
        browser.click("form[action='/logout'] button").await;
        sign_in(&browser, &app, day.paul, PAUL_PASSWORD).await;
        browser.goto(&app.url(&format!("/refills/{}", day.due))).await;
        assert_eq!(browser.count("#record-refill").await, 0);
        browser.execute(&format!("var f = document.querySelector('form[action=\"/logout\"]'); f.action = '/refills/{}'; f.submit();", day.due)).await;
        let refused = browser.text_with("ne permet pas").await;
        assert!(refused.contains("lecture seule") && refused.contains("ne permet pas"), "{refused}");
        let after_viewer = json_of(app.get(&format!("/api/v1/movements?patient_id={}", day.due)).await, 200).await["data"].as_array().unwrap().len();
        assert_eq!(before, after_viewer);

        browser.goto(&app.url("/")).await;
        browser.click("form[action='/logout'] button").await;
        sign_in(&browser, &app, "chef", MARIE_PASSWORD).await;
        browser.goto(&app.url("/settings")).await;
        assert!(browser.text_with("Jetons").await.contains("marie"));
        browser.screenshot("settings").await;
    }
}
