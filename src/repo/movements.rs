use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{corrupt, day_bounds, is_unique_violation};
use crate::db::schema::{lots, movement_lines, movements};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{Movement, MovementFilter, MovementKind, MovementLine};
use crate::domain::page::{Page, PageRequest};
use crate::domain::role::Role;
use crate::domain::token::Actor;

/// The header of a movement about to be written.
pub struct MovementHeader<'a> {
    pub kind: MovementKind,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
    pub location: Option<LocationId>,
    pub to_location: Option<LocationId>,
    pub patient: Option<PatientId>,
    pub reason: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub note: Option<&'a str>,
    pub actor: &'a Actor,
    pub reverses: Option<MovementId>,
    pub procedure_code: Option<&'a str>,
}

/// `Ok(None)` when `reverses` names a movement that already has its reversal.
pub fn insert(conn: &mut DbConnection, header: &MovementHeader<'_>) -> QueryResult<Option<MovementId>> {
    let inserted = diesel::insert_into(movements::table)
        .values((
            movements::kind.eq(header.kind.as_str()),
            movements::occurred_at.eq(header.occurred_at),
            movements::recorded_at.eq(header.recorded_at),
            movements::location_id.eq(header.location.map(|l| l.0)),
            movements::to_location_id.eq(header.to_location.map(|l| l.0)),
            movements::patient_id.eq(header.patient.map(|p| p.0)),
            movements::reason.eq(header.reason),
            movements::reference.eq(header.reference),
            movements::note.eq(header.note),
            movements::actor_token_id.eq(header.actor.token_id.map(|t| t.0)),
            movements::actor_name.eq(&header.actor.name),
            movements::actor_role.eq(header.actor.role.as_str()),
            movements::reverses_movement_id.eq(header.reverses.map(|m| m.0)),
            movements::procedure_code.eq(header.procedure_code),
        ))
        .returning(movements::id)
        .get_result::<i64>(conn);
    match inserted {
        Ok(id) => Ok(Some(MovementId(id))),
        Err(e) if header.reverses.is_some() && is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// One ledger line as written.
pub struct NewLine {
    pub line_index: u32,
    pub item: ItemId,
    pub lot: LotId,
    pub location: LocationId,
    pub delta: i64,
    pub counted_quantity: Option<i64>,
    pub serial: Option<String>,
}

pub fn insert_line(conn: &mut DbConnection, movement: MovementId, line: &NewLine) -> QueryResult<()> {
    diesel::insert_into(movement_lines::table)
        .values((
            movement_lines::movement_id.eq(movement.0),
            movement_lines::line_index.eq(line.line_index as i32),
            movement_lines::item_id.eq(line.item.0),
            movement_lines::lot_id.eq(line.lot.0),
            movement_lines::location_id.eq(line.location.0),
            movement_lines::delta.eq(line.delta),
            movement_lines::counted_quantity.eq(line.counted_quantity),
            movement_lines::serial.eq(line.serial.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A movement's header as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = movements)]
struct HeaderRow {
    id: i64,
    kind: String,
    occurred_at: NaiveDateTime,
    recorded_at: NaiveDateTime,
    location_id: Option<i64>,
    to_location_id: Option<i64>,
    patient_id: Option<i64>,
    reason: Option<String>,
    reference: Option<String>,
    note: Option<String>,
    actor_name: String,
    actor_role: String,
    reverses_movement_id: Option<i64>,
    procedure_code: Option<String>,
}

fn header_into(row: HeaderRow, lines: Vec<MovementLine>, reversed_by: Option<MovementId>) -> QueryResult<Movement> {
    Ok(Movement {
        id: MovementId(row.id),
        kind: MovementKind::parse(&row.kind).ok_or_else(|| corrupt("movement kind", &row.kind))?,
        occurred_at: row.occurred_at,
        recorded_at: row.recorded_at,
        actor_role: Role::parse(&row.actor_role).ok_or_else(|| corrupt("role", &row.actor_role))?,
        actor_name: row.actor_name,
        location_id: row.location_id.map(LocationId),
        to_location_id: row.to_location_id.map(LocationId),
        patient_id: row.patient_id.map(PatientId),
        reason: row.reason,
        reference: row.reference,
        note: row.note,
        reverses_movement_id: row.reverses_movement_id.map(MovementId),
        reversed_by_movement_id: reversed_by,
        procedure_code: row.procedure_code,
        lines,
    })
}

pub fn find(conn: &mut DbConnection, id: MovementId) -> QueryResult<Option<Movement>> {
    let row: Option<HeaderRow> = movements::table
        .find(id.0)
        .select(HeaderRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some(row) => Ok(assemble(conn, vec![row])?.pop()),
    }
}

pub fn list(conn: &mut DbConnection, filter: &MovementFilter, page: PageRequest) -> QueryResult<Page<Movement>> {
    let mut query = movements::table
        .select(HeaderRow::as_select())
        .into_boxed()
        .order(movements::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(movements::id.gt(after));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(movements::kind.eq(kind.as_str()));
    }
    if let Some(patient) = filter.patient {
        query = query.filter(movements::patient_id.eq(patient.0));
    }
    let (start, end) = day_bounds(filter.from, filter.to);
    if let Some(start) = start {
        query = query.filter(movements::occurred_at.ge(start));
    }
    if let Some(end) = end {
        query = query.filter(movements::occurred_at.lt(end));
    }
    // Line-level filters: a movement matches when one of its lines does.
    if let Some(item) = filter.item {
        let ids = movement_lines::table
            .select(movement_lines::movement_id)
            .filter(movement_lines::item_id.eq(item.0));
        query = query.filter(movements::id.eq_any(ids));
    }
    if let Some(lot) = filter.lot {
        let ids = movement_lines::table
            .select(movement_lines::movement_id)
            .filter(movement_lines::lot_id.eq(lot.0));
        query = query.filter(movements::id.eq_any(ids));
    }
    if let Some(location) = filter.location {
        let ids = movement_lines::table
            .select(movement_lines::movement_id)
            .filter(movement_lines::location_id.eq(location.0));
        query = query.filter(movements::id.eq_any(ids));
    }
    let rows: Vec<HeaderRow> = query.load(conn)?;
    let movements = assemble(conn, rows)?;
    Ok(Page::from_rows(movements, page, |m| m.id.0))
}

#[derive(Queryable)]
struct LineRow {
    movement: i64,
    line_index: i32,
    item: i64,
    lot: i64,
    lot_number: String,
    expires_on: NaiveDate,
    location: i64,
    delta: i64,
    counted: Option<i64>,
    serial: Option<String>,
}

/// Adds lines and reversal links to headers: two queries whatever the page size.
fn assemble(conn: &mut DbConnection, rows: Vec<HeaderRow>) -> QueryResult<Vec<Movement>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let line_rows: Vec<LineRow> = movement_lines::table
        .inner_join(lots::table)
        .filter(movement_lines::movement_id.eq_any(&ids))
        .order((movement_lines::movement_id, movement_lines::id))
        .select((
            movement_lines::movement_id,
            movement_lines::line_index,
            movement_lines::item_id,
            movement_lines::lot_id,
            lots::lot_number,
            lots::expires_on,
            movement_lines::location_id,
            movement_lines::delta,
            movement_lines::counted_quantity,
            movement_lines::serial,
        ))
        .load(conn)?;
    let mut lines: HashMap<i64, Vec<MovementLine>> = HashMap::new();
    for LineRow {
        movement,
        line_index,
        item,
        lot,
        lot_number,
        expires_on,
        location,
        delta,
        counted,
        serial,
    } in line_rows
    {
        lines.entry(movement).or_default().push(MovementLine {
            line_index: line_index as u32,
            item_id: ItemId(item),
            lot_id: LotId(lot),
            lot_number,
            expires_on,
            location_id: LocationId(location),
            delta,
            counted_quantity: counted,
            serial,
        });
    }
    let reversals: Vec<(i64, Option<i64>)> = movements::table
        .filter(movements::reverses_movement_id.eq_any(&ids))
        .select((movements::id, movements::reverses_movement_id))
        .load(conn)?;
    let reversed_by: HashMap<i64, MovementId> = reversals
        .into_iter()
        .filter_map(|(id, original)| original.map(|o| (o, MovementId(id))))
        .collect();
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            header_into(
                row,
                lines.remove(&id).unwrap_or_default(),
                reversed_by.get(&id).copied(),
            )
        })
        .collect()
}

/// Ids of lines whose delta has the wrong sign for their movement's kind.
pub fn lines_with_wrong_sign(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, i64)>> {
    let negative_only = [MovementKind::Dispense.as_str(), MovementKind::Waste.as_str()];
    let positive_only = [MovementKind::Receipt.as_str(), MovementKind::Return.as_str()];
    let mut wrong: Vec<(i64, String, i64)> = movement_lines::table
        .inner_join(movements::table)
        .filter(movements::kind.eq_any(negative_only).and(movement_lines::delta.ge(0)))
        .or_filter(movements::kind.eq_any(positive_only).and(movement_lines::delta.le(0)))
        .select((movement_lines::movement_id, movements::kind, movement_lines::delta))
        .limit(100)
        .load(conn)?;
    wrong.sort();
    Ok(wrong)
}

/// Lines whose lot belongs to another item than the line says.
pub fn lines_with_foreign_lot(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i64)>> {
    movement_lines::table
        .inner_join(lots::table)
        .filter(movement_lines::item_id.ne(lots::item_id))
        .select((movement_lines::movement_id, movement_lines::item_id, lots::item_id))
        .limit(100)
        .load(conn)
}

/// Dispensations that name no patient (untraceable).
pub fn dispenses_without_patient(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    movements::table
        .filter(movements::kind.eq(MovementKind::Dispense.as_str()))
        .filter(movements::patient_id.is_null())
        .select(movements::id)
        .limit(100)
        .load(conn)
}

/// What a reversal and its original add up to at one (lot, location): zero when they cancel.
pub struct ReversalNet {
    pub reversal: i64,
    pub original: i64,
    pub lot: i64,
    pub location: i64,
    pub net: i64,
}

/// The net of every reversal with its original, per (lot, location).
pub fn reversal_nets(conn: &mut DbConnection) -> QueryResult<Vec<ReversalNet>> {
    let pairs: Vec<(i64, Option<i64>)> = movements::table
        .filter(movements::reverses_movement_id.is_not_null())
        .select((movements::id, movements::reverses_movement_id))
        .load(conn)?;
    let mut out = Vec::new();
    for chunk in pairs.chunks(500) {
        let mut ids: Vec<i64> = Vec::with_capacity(chunk.len() * 2);
        let mut original_of: HashMap<i64, i64> = HashMap::new();
        for (reversal, original) in chunk {
            if let Some(original) = original {
                ids.push(*reversal);
                ids.push(*original);
                original_of.insert(*reversal, *original);
                original_of.insert(*original, *original);
            }
        }
        let lines: Vec<(i64, i64, i64, i64)> = movement_lines::table
            .filter(movement_lines::movement_id.eq_any(&ids))
            .select((
                movement_lines::movement_id,
                movement_lines::lot_id,
                movement_lines::location_id,
                movement_lines::delta,
            ))
            .load(conn)?;
        let mut nets: HashMap<(i64, i64, i64), i64> = HashMap::new();
        for (movement, lot, location, delta) in lines {
            if let Some(original) = original_of.get(&movement) {
                *nets.entry((*original, lot, location)).or_default() += delta;
            }
        }
        for ((original, lot, location), net) in nets {
            let reversal = chunk
                .iter()
                .find(|(_, o)| *o == Some(original))
                .map(|(r, _)| *r)
                .unwrap_or(0);
            out.push(ReversalNet {
                reversal,
                original,
                lot,
                location,
                net,
            });
        }
    }
    Ok(out)
}

/// Locks the movement's row until the transaction ends (PostgreSQL), so two reversals of it
/// queue and the second sees the first.
pub fn lock(conn: &mut DbConnection, id: MovementId) -> QueryResult<()> {
    if matches!(conn, DbConnection::Pg(_)) {
        super::on_backend!(conn, "SELECT id FROM movements WHERE id = ? FOR UPDATE", |q, c| q
            .bind::<diesel::sql_types::BigInt, _>(id.0)
            .execute(c))?;
    }
    Ok(())
}
