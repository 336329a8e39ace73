//! `mipstock simulate`: a short run, its JSON's shape, and the same output for the same seed.

use std::process::Command;

use serde_json::Value;

fn simulate(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_mipstock"))
        .env("MIPSTOCK__LOG__LEVEL", "warn")
        .args(["simulate", "--days", "120", "--patients", "10", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

#[test]
fn a_short_simulation_reports_both_policies_the_same_way_twice() {
    let first = simulate(&["--seed", "7", "--delay-days-max", "3", "--disruption-days", "10"]);
    let policies = first["policies"].as_array().unwrap();
    let names: Vec<&str> = policies.iter().filter_map(|p| p["policy"].as_str()).collect();
    assert_eq!(names, vec!["static", "forecast"]);
    for p in policies {
        for key in ["refills_due", "refills_missed", "days_late", "units_expired", "orders"] {
            assert!(p[key].is_u64(), "{key} in {p}");
        }
        // 10 patients refilled every 35–45 days over 120 days: about 30 refills.
        assert!((20..=40).contains(&p["refills_due"].as_u64().unwrap()), "{p}");
        assert!(p["orders"].as_u64().unwrap() > 0, "{p}");
        let on_hand = p["mean_on_hand"].as_object().unwrap();
        assert!(
            on_hand.contains_key("INS-400-10ML") && on_hand.contains_key("MIP-FILL-KIT"),
            "{p}"
        );
        assert!(on_hand.values().all(|v| v.as_f64().unwrap() >= 0.0));
    }
    assert_eq!(
        first,
        simulate(&["--seed", "7", "--delay-days-max", "3", "--disruption-days", "10"]),
        "deterministic"
    );
    let one = simulate(&[
        "--seed",
        "7",
        "--delay-days-max",
        "3",
        "--disruption-days",
        "10",
        "--policy",
        "forecast",
    ]);
    assert_eq!(
        one["policies"][0], first["policies"][1],
        "a policy alone runs as beside the other"
    );
}

#[test]
fn out_writes_one_csv_row_per_day_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    simulate(&["--seed", "3", "--disruption-days", "10", "--out", out]);
    let csv = std::fs::read_to_string(dir.path().join("simulation.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("date,policy,outage,refills_missed,INS-400-10ML,MIP-BUFFER,MIP-CATH-STD,MIP-FILL-KIT,MIP-NAOH")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 240, "120 days × 2 policies");
    assert!(rows[0].starts_with("2027-01-04,static,0,"));
    let outage_days = rows.iter().filter(|r| r.split(',').nth(2) == Some("1")).count();
    assert_eq!(outage_days, 20, "10 outage days × 2 policies");
    let svg = std::fs::read_to_string(dir.path().join("simulation.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for said in [
        "Insulin vials on hand",
        "supplier outage",
        "static: ",
        "forecast: ",
        "refill(s) missed",
    ] {
        assert!(svg.contains(said), "the chart says {said:?}");
    }
}
