use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use chrono::NaiveDateTime;

use super::{corrupt, on_backend};
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

pub fn insert(conn: &mut DbConnection, new: &NewPatient, at: NaiveDateTime) -> QueryResult<Patient> {
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

pub fn update(
    conn: &mut DbConnection,
    id: PatientId,
    changes: &PatientChanges,
    at: NaiveDateTime,
) -> QueryResult<Option<Patient>> {
    let row: Option<PatientRow> = diesel::update(patients::table.find(id.0))
        .set((
            changes.reference.as_ref().map(|v| patients::reference.eq(v)),
            changes.status.map(|v| patients::status.eq(v.as_str())),
            changes
                .refill_interval
                .map(|v| patients::refill_interval_days.eq(i32::from(v.days()))),
            changes.next_refill_on.map(|v| patients::next_refill_on.eq(v)),
            changes.notes.as_ref().map(|v| patients::notes.eq(v.clone())),
            patients::updated_at.eq(at),
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

/// Locks the patient's row until the transaction ends (PostgreSQL), so that checks of what the
/// patient holds and the writes that follow cannot interleave with another such check. SQLite's
/// write transaction already holds the whole database.
pub fn lock(conn: &mut DbConnection, id: PatientId) -> QueryResult<()> {
    if matches!(conn, DbConnection::Pg(_)) {
        on_backend!(conn, "SELECT id FROM patients WHERE id = ? FOR UPDATE", |q, c| q
            .bind::<BigInt, _>(id.0)
            .execute(c))?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Holding {
    #[diesel(sql_type = BigInt)]
    patient_id: i64,
    #[diesel(sql_type = BigInt)]
    lot_id: i64,
    #[diesel(sql_type = BigInt)]
    held: i64,
}

/// (patient, lot, units held) wherever a patient holds a negative quantity: returned or
/// reversed more than was dispensed. Must be empty.
pub fn negative_holdings(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i64)>> {
    let rows: Vec<Holding> = on_backend!(
        conn,
        "SELECT m.patient_id AS patient_id, l.lot_id AS lot_id, CAST(-SUM(l.delta) AS BIGINT) AS held \
         FROM movement_lines l JOIN movements m ON m.id = l.movement_id \
         WHERE m.patient_id IS NOT NULL GROUP BY m.patient_id, l.lot_id HAVING SUM(l.delta) > 0 \
         ORDER BY m.patient_id, l.lot_id",
        |q, c| q.load(c)
    )?;
    Ok(rows.into_iter().map(|h| (h.patient_id, h.lot_id, h.held)).collect())
}

/// Whether another patient already has this reference. Checked before writing so that the
/// database never reports a unique violation, whose detail (logged by PostgreSQL) would carry
/// the reference. On PostgreSQL a transaction-scoped advisory lock on the reference makes two
/// concurrent registrations of it queue rather than collide.
pub fn reference_taken(conn: &mut DbConnection, reference: &str, except: Option<PatientId>) -> QueryResult<bool> {
    if matches!(conn, DbConnection::Pg(_)) {
        on_backend!(conn, "SELECT pg_advisory_xact_lock(hashtext(?))", |q, c| q
            .bind::<diesel::sql_types::Text, _>(format!("mipstock.patient.reference:{reference}"))
            .execute(c))?;
    }
    let mut query = patients::table
        .filter(patients::reference.eq(reference))
        .select(patients::id)
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(patients::id.ne(except.0));
    }
    Ok(query.first::<i64>(conn).optional()?.is_some())
}
