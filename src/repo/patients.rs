use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use super::{corrupt, now};
use crate::db::schema::{movement_lines, movements, patients};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{LotId, PatientId};
use crate::domain::page::{Page, PageRequest};
use crate::domain::patient::{NewPatient, Patient, PatientChanges, PatientFilter, PatientStatus, RefillInterval};

#[derive(Queryable)]
struct PatientRow {
    id: i64,
    reference: String,
    status: String,
    refill_interval_days: i32,
    next_refill_on: Option<chrono::NaiveDate>,
    notes: Option<String>,
    _created_at: chrono::NaiveDateTime,
    _updated_at: chrono::NaiveDateTime,
}

impl TryFrom<PatientRow> for Patient {
    type Error = diesel::result::Error;
    fn try_from(row: PatientRow) -> QueryResult<Patient> {
        Ok(Patient {
            id: PatientId(row.id),
            status: PatientStatus::parse(&row.status).ok_or_else(|| corrupt("patient status", &row.status))?,
            refill_interval: RefillInterval::new(i64::from(row.refill_interval_days))
                .ok_or_else(|| corrupt("refill interval", &row.refill_interval_days.to_string()))?,
            reference: row.reference,
            next_refill_on: row.next_refill_on,
            notes: row.notes,
        })
    }
}

pub fn insert(conn: &mut DbConnection, new: &NewPatient) -> QueryResult<Patient> {
    let at = now();
    let row: PatientRow = diesel::insert_into(patients::table)
        .values((
            patients::reference.eq(&new.reference),
            patients::status.eq(new.status.as_str()),
            patients::refill_interval_days.eq(i32::from(new.refill_interval.days())),
            patients::next_refill_on.eq(new.next_refill_on),
            patients::notes.eq(&new.notes),
            patients::created_at.eq(at),
            patients::updated_at.eq(at),
        ))
        .returning(patients::all_columns)
        .get_result(conn)?;
    row.try_into()
}

pub fn find(conn: &mut DbConnection, id: PatientId) -> QueryResult<Option<Patient>> {
    let row: Option<PatientRow> = patients::table.find(id.0).first(conn).optional()?;
    row.map(Patient::try_from).transpose()
}

pub fn list(conn: &mut DbConnection, filter: &PatientFilter, page: PageRequest) -> QueryResult<Page<Patient>> {
    let mut query = patients::table
        .into_boxed()
        .order(patients::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(patients::id.gt(after));
    }
    if let Some(status) = filter.status {
        query = query.filter(patients::status.eq(status.as_str()));
    }
    if let Some(before) = filter.refill_due_before {
        query = query
            .filter(patients::status.eq(PatientStatus::Active.as_str()))
            .filter(patients::next_refill_on.lt(before));
    }
    let rows: Vec<PatientRow> = query.load(conn)?;
    let patients = rows
        .into_iter()
        .map(Patient::try_from)
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(Page::from_rows(patients, page, |p| p.id.0))
}

pub fn update(conn: &mut DbConnection, id: PatientId, changes: &PatientChanges) -> QueryResult<Option<Patient>> {
    let row: Option<PatientRow> = diesel::update(patients::table.find(id.0))
        .set((
            changes.reference.as_ref().map(|v| patients::reference.eq(v)),
            changes.status.map(|v| patients::status.eq(v.as_str())),
            changes
                .refill_interval
                .map(|v| patients::refill_interval_days.eq(i32::from(v.days()))),
            changes.next_refill_on.map(|v| patients::next_refill_on.eq(v)),
            changes.notes.as_ref().map(|v| patients::notes.eq(v.clone())),
            patients::updated_at.eq(now()),
        ))
        .returning(patients::all_columns)
        .get_result(conn)
        .optional()?;
    row.map(Patient::try_from).transpose()
}

/// Units of `lot` the patient holds: dispensed, less returned, with reversals of either.
pub fn net_received(conn: &mut DbConnection, patient: PatientId, lot: LotId) -> QueryResult<i64> {
    let net: Option<i64> = movement_lines::table
        .inner_join(movements::table)
        .filter(movements::patient_id.eq(patient.0))
        .filter(movement_lines::lot_id.eq(lot.0))
        .select(sql::<Nullable<BigInt>>("CAST(SUM(movement_lines.delta) AS BIGINT)"))
        .first(conn)?;
    Ok(-net.unwrap_or(0))
}
