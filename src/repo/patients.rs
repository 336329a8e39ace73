use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use chrono::{NaiveDate, NaiveDateTime};

use super::{corrupt, on_backend};
use crate::db::schema::{movement_lines, movements, patients, refill_moves};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{LotId, MovementId, PatientId};
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

/// Which ledger lines move units between the shelves and patients: dispensations, returns
/// (with or without a patient) and their reversals.
const WITH_PATIENTS: &str = "(m.patient_id IS NOT NULL OR COALESCE(o.kind, m.kind) = 'return')";

#[derive(QueryableByName)]
struct Units {
    #[diesel(sql_type = BigInt)]
    units: i64,
}

/// Units of `lot` out with patients, all patients together: dispensed, less every return (a
/// return that names no patient included), with reversals of either. What may still come back.
pub fn lot_out_with_patients(conn: &mut DbConnection, lot: LotId) -> QueryResult<i64> {
    let sql = format!(
        "SELECT CAST(-COALESCE(SUM(l.delta), 0) AS BIGINT) AS units FROM movement_lines l \
         JOIN movements m ON m.id = l.movement_id LEFT JOIN movements o ON o.id = m.reverses_movement_id \
         WHERE l.lot_id = ? AND {WITH_PATIENTS}"
    );
    let row: Units = on_backend!(conn, &sql, |q, c| q.bind::<BigInt, _>(lot.0).get_result(c))?;
    Ok(row.units)
}

/// One lot's account, from the ledger: what came in, what the counts found, what was thrown
/// away, and what is out with patients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LotAccount {
    pub lot: i64,
    pub received: i64,
    pub count_gains: i64,
    pub wasted: i64,
    /// Σ over patients of what each holds (never below 0), less what came back with no patient.
    pub with_patients: i64,
}

#[derive(QueryableByName)]
struct AccountRow {
    #[diesel(sql_type = BigInt)]
    lot_id: i64,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    count_gains: i64,
    #[diesel(sql_type = BigInt)]
    wasted: i64,
    #[diesel(sql_type = BigInt)]
    held: i64,
    #[diesel(sql_type = BigInt)]
    returned_anonymously: i64,
}

/// Every lot's account (reversals count with the kind they reverse).
pub fn lot_accounts(conn: &mut DbConnection) -> QueryResult<Vec<LotAccount>> {
    let rows: Vec<AccountRow> = on_backend!(
        conn,
        "WITH lines AS (SELECT l.lot_id, l.delta, m.kind, m.patient_id, COALESCE(o.kind, m.kind) AS effective \
           FROM movement_lines l JOIN movements m ON m.id = l.movement_id \
           LEFT JOIN movements o ON o.id = m.reverses_movement_id), \
         holdings AS (SELECT lot_id, -SUM(delta) AS held FROM lines WHERE patient_id IS NOT NULL \
           GROUP BY patient_id, lot_id) \
         SELECT t.lot_id AS lot_id, \
           CAST(SUM(CASE WHEN t.effective = 'receipt' THEN t.delta ELSE 0 END) AS BIGINT) AS received, \
           CAST(SUM(CASE WHEN t.effective = 'count' AND ((t.kind = 'count' AND t.delta > 0) \
             OR (t.kind = 'reversal' AND t.delta < 0)) THEN t.delta ELSE 0 END) AS BIGINT) AS count_gains, \
           CAST(-SUM(CASE WHEN t.effective = 'waste' THEN t.delta ELSE 0 END) AS BIGINT) AS wasted, \
           CAST(COALESCE((SELECT SUM(CASE WHEN h.held > 0 THEN h.held ELSE 0 END) FROM holdings h \
             WHERE h.lot_id = t.lot_id), 0) AS BIGINT) AS held, \
           CAST(SUM(CASE WHEN t.patient_id IS NULL AND t.effective = 'return' THEN t.delta ELSE 0 END) AS BIGINT) \
             AS returned_anonymously \
         FROM lines t GROUP BY t.lot_id ORDER BY t.lot_id",
        |q, c| q.load(c)
    )?;
    Ok(rows
        .into_iter()
        .map(|r| LotAccount {
            lot: r.lot_id,
            received: r.received,
            count_gains: r.count_gains,
            wasted: r.wasted,
            with_patients: r.held - r.returned_anonymously,
        })
        .collect())
}

/// Records what a refill did to the patient's next refill date.
pub fn record_refill_move(
    conn: &mut DbConnection,
    movement: MovementId,
    patient: PatientId,
    previous_on: Option<NaiveDate>,
    moved_to: NaiveDate,
) -> QueryResult<()> {
    diesel::insert_into(refill_moves::table)
        .values((
            refill_moves::movement_id.eq(movement.0),
            refill_moves::patient_id.eq(patient.0),
            refill_moves::previous_on.eq(previous_on),
            refill_moves::moved_to.eq(moved_to),
        ))
        .execute(conn)
        .map(|_| ())
}

/// What the refill `movement` did to its patient's next refill date: (patient, before, after).
pub fn refill_move(
    conn: &mut DbConnection,
    movement: MovementId,
) -> QueryResult<Option<(PatientId, Option<NaiveDate>, NaiveDate)>> {
    let row: Option<(i64, Option<NaiveDate>, NaiveDate)> = refill_moves::table
        .find(movement.0)
        .select((
            refill_moves::patient_id,
            refill_moves::previous_on,
            refill_moves::moved_to,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(patient, before, after)| (PatientId(patient), before, after)))
}
