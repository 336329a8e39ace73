//! Writes a simulated history with many rows per statement (repo::bulk): values are the
//! generator's own numbers, dates and words, never a request's.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::DbConnection;
use crate::domain::catalog::Named;
use std::collections::BTreeMap;

use crate::domain::forecast::is_unscheduled;
use crate::repo::bulk::{analyze, insert_rows, max_id, resync_ids, text, upsert_rows};

use super::simulate::{Ids, Simulation};
use super::GenerateHistoryError;

fn stamp(start: NaiveDate, day: i64, minute: i64) -> String {
    let at: NaiveDateTime =
        (start + Duration::days(day)).and_hms_opt(7, 0, 0).unwrap_or_default() + Duration::minutes(minute);
    text(&at.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn date(start: NaiveDate, day: i64) -> String {
    text(&(start + Duration::days(day)).to_string())
}

fn opt(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into())
}

/// Writes locations, patients, lots, the ledger and its balances; `items` maps the
/// simulation's item indexes to catalog ids, `now` stamps the rows.
pub fn write(
    conn: &mut DbConnection,
    simulation: &Simulation,
    ids: &Ids,
    items: &[i64; 4],
    now: NaiveDateTime,
) -> Result<(), GenerateHistoryError> {
    let Simulation {
        sim,
        intervals,
        next_refill,
        days: day,
    } = simulation;
    let (central, wards, first_patient, first_lot) = (ids.central, &ids.wards, ids.first_patient, ids.first_lot);
    let patients = intervals.len() as i64;
    let today = now.date();
    // The last simulated day is yesterday.
    let start = today - Duration::days(*day);
    let created = text(&now.format("%Y-%m-%d %H:%M:%S").to_string());
    let mut rows: Vec<String> = Vec::new();
    rows.push(format!(
        "({central}, 'BENCH-CENTRAL', 'Central pharmacy store (benchmark)', TRUE, {created}, {created})"
    ));
    for (s, ward) in wards.iter().enumerate() {
        rows.push(format!(
            "({ward}, {}, {}, TRUE, {created}, {created})",
            text(&format!("BENCH-WARD-{:03}", s + 1)),
            text(&format!("Ward fridge, site {}", s + 1))
        ));
    }
    insert_rows(
        conn,
        "locations",
        "id, code, name, active, created_at, updated_at",
        &rows,
    )?;
    let rows: Vec<String> = (0..patients)
        .map(|p| {
            let next = next_refill[p as usize];
            format!(
                "({}, {}, 'active', {}, {}, NULL, {created}, {created})",
                first_patient + p,
                text(&format!("BENCH-{:05}", p + 1)),
                intervals[p as usize],
                date(start, next)
            )
        })
        .collect();
    insert_rows(
        conn,
        "patients",
        "id, reference, status, refill_interval_days, next_refill_on, notes, created_at, updated_at",
        &rows,
    )?;
    let rows: Vec<String> = sim
        .lots
        .iter()
        .enumerate()
        .map(|(n, lot)| {
            let id = first_lot + n as i64;
            format!(
                "({id}, {}, {}, {}, 'available', NULL, {created}, {created}, {})",
                items[lot.item],
                text(&format!("B{id:07}")),
                date(start, lot.expires),
                stamp(start, lot.received, 0)
            )
        })
        .collect();
    insert_rows(
        conn,
        "lots",
        "id, item_id, lot_number, expires_on, status, status_reason, created_at, updated_at, first_received_at",
        &rows,
    )?;

    let first_movement = max_id(conn, "movements")? + 1;
    let first_line = max_id(conn, "movement_lines")? + 1;
    let (mut movement_rows, mut line_rows) = (Vec::new(), Vec::new());
    let mut line_id = first_line;
    // The forecast's unscheduled usage per (item, day), kept as the use-cases keep it.
    let mut usage: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (n, m) in sim.moves.iter().enumerate() {
        let id = first_movement + n as i64;
        let at = stamp(start, m.day, m.minute);
        movement_rows.push(format!(
            "({id}, '{}', {at}, {at}, {}, {}, {}, {}, NULL, NULL, NULL, 'demo', 'admin', NULL, {})",
            m.kind.as_str(),
            m.location,
            opt(m.to_location),
            opt(m.patient),
            m.reason.map(text).unwrap_or_else(|| "NULL".into()),
            m.procedure.map(text).unwrap_or_else(|| "NULL".into())
        ));
        if is_unscheduled(m.kind, m.procedure) {
            for line in &m.lines {
                *usage.entry((items[line.item], m.day)).or_default() -= line.delta;
            }
        }
        for (index, line) in m.lines.iter().enumerate() {
            line_rows.push(format!(
                "({line_id}, {id}, {index}, {}, {}, {}, {}, NULL)",
                items[line.item], line.lot, line.location, line.delta
            ));
            line_id += 1;
        }
        if movement_rows.len() >= 5000 {
            flush(conn, &mut movement_rows, &mut line_rows)?;
        }
    }
    flush(conn, &mut movement_rows, &mut line_rows)?;
    let rows: Vec<String> = sim
        .balance
        .iter()
        .map(|((lot, location), quantity)| {
            format!(
                "({lot}, {location}, {}, {quantity}, {created})",
                items[sim.lot(*lot).item]
            )
        })
        .collect();
    insert_rows(
        conn,
        "balances",
        "lot_id, location_id, item_id, quantity, updated_at",
        &rows,
    )?;
    let rows: Vec<String> = usage
        .iter()
        .map(|((item, day), units)| format!("({item}, {}, {units})", date(start, *day)))
        .collect();
    upsert_rows(
        conn,
        "daily_usage",
        "item_id, day, unscheduled",
        &rows,
        "ON CONFLICT (item_id, day) DO UPDATE SET unscheduled = daily_usage.unscheduled + excluded.unscheduled",
    )?;
    resync_ids(conn, &["locations", "patients", "lots", "movements", "movement_lines"])?;
    analyze(conn)?;

    Ok(())
}

fn flush(
    conn: &mut DbConnection,
    movements: &mut Vec<String>,
    lines: &mut Vec<String>,
) -> Result<(), GenerateHistoryError> {
    insert_rows(
        conn,
        "movements",
        "id, kind, occurred_at, recorded_at, location_id, to_location_id, patient_id, reason, reference, note, actor_token_id, actor_name, actor_role, reverses_movement_id, procedure_code",
        movements,
    )?;
    insert_rows(
        conn,
        "movement_lines",
        "id, movement_id, line_index, item_id, lot_id, location_id, delta, counted_quantity",
        lines,
    )?;
    movements.clear();
    lines.clear();
    Ok(())
}
