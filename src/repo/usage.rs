use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{corrupt, day_bounds};
use crate::db::schema::{lots, movement_lines, movements, patients};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, LotId, MovementId, PatientId};
use crate::domain::ledger::MovementKind;
use crate::domain::usage::UsageEntry;

#[derive(Debug, Clone, Default)]
pub struct UsageQuery {
    pub patient: Option<PatientId>,
    pub lot: Option<LotId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Queryable)]
struct EntryRow {
    movement_id: i64,
    kind: String,
    occurred_at: NaiveDateTime,
    patient_id: Option<i64>,
    patient_reference: String,
    item_id: i64,
    lot_id: i64,
    lot_number: String,
    delta: i64,
    serial: Option<String>,
}

/// Dispensation and return lines to patients, leaving out movements that were reversed.
pub fn entries(conn: &mut DbConnection, query: &UsageQuery) -> QueryResult<Vec<UsageEntry>> {
    let kinds = [MovementKind::Dispense.as_str(), MovementKind::Return.as_str()];
    let mut q = movement_lines::table
        .inner_join(movements::table.inner_join(patients::table))
        .inner_join(lots::table)
        .filter(movements::kind.eq_any(kinds))
        .select((
            movements::id,
            movements::kind,
            movements::occurred_at,
            movements::patient_id,
            patients::reference,
            movement_lines::item_id,
            movement_lines::lot_id,
            lots::lot_number,
            movement_lines::delta,
            movement_lines::serial,
        ))
        .order((movements::occurred_at, movements::id, movement_lines::id))
        .into_boxed();
    if let Some(patient) = query.patient {
        q = q.filter(movements::patient_id.eq(patient.0));
    }
    if let Some(lot) = query.lot {
        q = q.filter(movement_lines::lot_id.eq(lot.0));
    }
    let (start, end) = day_bounds(query.from, query.to);
    if let Some(start) = start {
        q = q.filter(movements::occurred_at.ge(start));
    }
    if let Some(end) = end {
        q = q.filter(movements::occurred_at.lt(end));
    }
    let rows: Vec<EntryRow> = q.load(conn)?;
    let reversed = reversed_among(conn, rows.iter().map(|r| r.movement_id))?;
    rows.into_iter()
        .filter(|r| !reversed.contains(&r.movement_id))
        .map(|r| {
            Ok(UsageEntry {
                movement_id: MovementId(r.movement_id),
                kind: MovementKind::parse(&r.kind).ok_or_else(|| corrupt("movement kind", &r.kind))?,
                occurred_at: r.occurred_at,
                patient_id: PatientId(r.patient_id.unwrap_or_default()),
                patient_reference: r.patient_reference,
                item_id: ItemId(r.item_id),
                lot_id: LotId(r.lot_id),
                lot_number: r.lot_number,
                quantity: -r.delta,
                serial: r.serial,
            })
        })
        .collect()
}

/// Which of these movements have a reversal.
fn reversed_among(conn: &mut DbConnection, ids: impl Iterator<Item = i64>) -> QueryResult<HashSet<i64>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let mut reversed = HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<Option<i64>> = movements::table
            .filter(movements::reverses_movement_id.eq_any(chunk))
            .select(movements::reverses_movement_id)
            .load(conn)?;
        reversed.extend(found.into_iter().flatten());
    }
    Ok(reversed)
}
