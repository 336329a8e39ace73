//! The binary itself: configuration errors, token commands, help.

use std::process::Command;

use crate::helpers::{on_both_databases, Backend, TestDb};

fn mipstock(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mipstock"));
    command
        .env("MIPSTOCK__DATABASE__URL", &db.url)
        .env("MIPSTOCK__LOG__LEVEL", "warn");
    command
}

#[test]
fn invalid_configuration_is_one_line_naming_the_key() {
    let db = TestDb::create(Backend::Sqlite).unwrap();
    for (key, value, named) in [
        ("MIPSTOCK__SERVER__BIND", "not-an-address", "server.bind"),
        ("MIPSTOCK__EMAIL__SMTP__PORT", "seventy", "email.smtp.port"),
        ("MIPSTOCK__DATABASE__URL", "mysql://db", "database.url"),
        ("MIPSTOCK__ALERTS__REMINDER_HOURS", "-3", "alerts.reminder_hours"),
    ] {
        let output = mipstock(&db).env(key, value).arg("migrate").output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{key}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(named), "{stderr}");
    }
    let output = mipstock(&db)
        .args(["--config", "/nonexistent.toml", "migrate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn token_commands_work_on_a_brand_new_database() {
    let db = TestDb::create(Backend::Sqlite).unwrap();
    let output = mipstock(&db)
        .args(["token", "create", "--name", "HIS integration", "--role", "pharmacist"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert!(stdout.trim().starts_with("mst_"));

    let listed = mipstock(&db).args(["token", "list"]).output().unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains("HIS integration") && listed.contains("pharmacist"));
    assert!(!listed.contains(stdout.trim()), "secrets are never listed");

    let revoked = mipstock(&db).args(["token", "revoke", "1"]).output().unwrap();
    assert!(revoked.status.success());
    let missing = mipstock(&db).args(["token", "revoke", "77"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(String::from_utf8(missing.stderr).unwrap().lines().count(), 1);
    let bad_role = mipstock(&db)
        .args(["token", "create", "--name", "x", "--role", "root"])
        .output()
        .unwrap();
    assert!(!bad_role.status.success());
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["token", "--help"],
        vec!["token", "create", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_mipstock"))
            .args(&args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(String::from_utf8(output.stdout).unwrap().contains("Usage"));
    }
}

/// `serve --demo` until it serves and its outbox holds an alert email (or 30 s pass), then
/// stop it; whether the demo loaded, what it said, and the emails written.
fn serve_demo(db: &TestDb) -> (bool, String, Vec<String>) {
    use std::io::{BufRead, BufReader};
    let outbox = db.scratch.path().join("outbox");
    let mut child = mipstock(db)
        .args(["serve", "--demo"])
        .env("MIPSTOCK__SERVER__BIND", "127.0.0.1:0")
        .env("MIPSTOCK__EMAIL__FILE_DIR", &outbox)
        .env("MIPSTOCK__LOG__LEVEL", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = String::new();
    let mut loaded = false;
    for line in stderr.by_ref().map_while(Result::ok) {
        said.push_str(&line);
        said.push('\n');
        if line.contains("demo data loaded") {
            loaded = true;
        }
        if line.contains("mipstock serving") || line.starts_with("mipstock:") {
            break;
        }
    }
    // Keep draining its log, so the server never writes into a closed pipe.
    std::thread::spawn(move || stderr.for_each(drop));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut emails: Vec<String> = Vec::new();
    // Until the outbox has stopped growing for half a second (the worker sends in batches).
    let mut unchanged = 0;
    while loaded && unchanged < 10 && std::time::Instant::now() < deadline {
        let before = emails.len();
        emails = std::fs::read_dir(&outbox)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        unchanged = if emails.is_empty() || emails.len() != before {
            0
        } else {
            unchanged + 1
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    (loaded, said, emails)
}

fn demo_is_consistent_and_loads_only_once(db: TestDb) {
    let (loaded, said, emails) = serve_demo(&db);
    assert!(loaded, "{said}");
    assert!(
        said.contains("pharmacie@demo.mipstock.invalid"),
        "the demo says where its emails go: {said}"
    );
    assert!(!said.contains("email.recipients is empty"), "{said}");
    assert!(
        !emails.is_empty(),
        "the demo alert emails are written to the outbox: {said}"
    );
    assert!(
        emails.iter().all(|e| e.contains("pharmacie@demo.mipstock.invalid")),
        "{emails:?}"
    );
    // The ward fridge's excursion of last night waits for a pharmacist (the one of months ago
    // was released; its email may still be on its way when the server stops).
    let cold: Vec<&String> = emails.iter().filter(|e| e.contains("Cold chain excursion")).collect();
    assert!(cold.iter().any(|e| e.contains("waiting for a pharmacist")), "{said}");
    let verify = mipstock(&db).arg("verify").output().unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{report}");
    assert!(report.contains("ok: every invariant holds"));

    let again = mipstock(&db)
        .args(["serve", "--demo"])
        .env("MIPSTOCK__SERVER__BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8(again.stderr).unwrap();
    assert!(stderr.contains("already holds movements"), "{stderr}");
}

fn bulk_history_keeps_every_invariant(db: TestDb) {
    let output = mipstock(&db)
        .args(["demo", "--lines", "5000", "--patients", "60", "--sites", "3"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("ledger lines in"), "{said}");
    let verify = mipstock(&db).arg("verify").output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    // A store that holds movements is never filled again.
    let again = mipstock(&db).args(["demo", "--lines", "100"]).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn a_start_without_recipients_warns_once_naming_the_key() {
    use std::io::{BufRead, BufReader};
    let db = TestDb::create(Backend::Sqlite).unwrap();
    let mut child = mipstock(&db)
        .arg("serve")
        .env("MIPSTOCK__SERVER__BIND", "127.0.0.1:0")
        .env("MIPSTOCK__LOG__LEVEL", "info")
        .env("MIPSTOCK__EMAIL__FILE_DIR", db.scratch.path().join("outbox"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    for line in BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        said.push_str(&line);
        said.push('\n');
        if line.contains("mipstock serving") || line.starts_with("mipstock:") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(said.matches("email.recipients").count(), 1, "{said}");
    assert!(said.contains("WARN"), "{said}");
}

on_both_databases!(demo_is_consistent_and_loads_only_once);

on_both_databases!(bulk_history_keeps_every_invariant);

fn user_commands_create_list_and_disable(db: TestDb) {
    use std::io::Write;
    let create = |username: &str, password: &str| {
        let mut child = mipstock(&db)
            .args(["user", "create", "--username", username, "--role", "pharmacist"])
            .args(["--display-name", "Marie Dupont"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let short = create("marie", "too short\n");
    assert_eq!(short.status.code(), Some(1));
    let said = String::from_utf8_lossy(&short.stderr);
    assert!(said.contains("must be at least 12 characters"), "{said}");
    let created = create("Marie.Dupont", "pharmacie centrale 2026\n");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let again = create("marie.dupont", "pharmacie centrale 2026\n");
    assert_eq!(again.status.code(), Some(1), "a username is taken once");

    let list = mipstock(&db).args(["user", "list"]).output().unwrap();
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(
        listed.contains("marie.dupont") && listed.contains("Marie Dupont") && listed.contains("yes"),
        "{listed}"
    );
    assert!(!listed.contains("pharmacie centrale"), "never a password");
    let id = listed
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let disable = mipstock(&db).args(["user", "disable", &id]).output().unwrap();
    assert!(disable.status.success());
    let listed = String::from_utf8(mipstock(&db).args(["user", "list"]).output().unwrap().stdout).unwrap();
    assert!(listed.lines().nth(1).unwrap().ends_with("no"), "{listed}");
}

on_both_databases!(user_commands_create_list_and_disable);
