//! Cold-chain excursions and what each holds, lot by lot.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::corrupt;
use crate::db::schema::{excursion_holds, excursions, lots};
use crate::db::DbConnection;
use crate::domain::cold_chain::{Decision, Excursion, Hold, NewExcursion};
use crate::domain::ids::{ExcursionId, ItemId, LocationId, LotId, MovementId};
use crate::domain::page::{Page, PageRequest};

#[derive(Queryable)]
struct ExcursionRow {
    id: i64,
    location_id: i64,
    started_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
    max_temperature_c: f64,
    min_temperature_c: Option<f64>,
    note: Option<String>,
    recorded_at: NaiveDateTime,
    recorded_by: String,
}

type HoldRow = (
    i64,
    i64,
    i64,
    String,
    i64,
    Option<String>,
    Option<NaiveDateTime>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

pub fn insert(conn: &mut DbConnection, new: &NewExcursion, by: &str, at: NaiveDateTime) -> QueryResult<ExcursionId> {
    let id: i64 = diesel::insert_into(excursions::table)
        .values((
            excursions::location_id.eq(new.location.0),
            excursions::started_at.eq(new.started_at),
            excursions::ended_at.eq(new.ended_at),
            excursions::max_temperature_c.eq(new.max_temperature_c),
            excursions::min_temperature_c.eq(new.min_temperature_c),
            excursions::note.eq(new.note.as_deref()),
            excursions::recorded_at.eq(at),
            excursions::recorded_by.eq(by),
        ))
        .returning(excursions::id)
        .get_result(conn)?;
    Ok(ExcursionId(id))
}

pub fn add_hold(
    conn: &mut DbConnection,
    excursion: ExcursionId,
    lot: LotId,
    item: ItemId,
    units: i64,
) -> QueryResult<()> {
    diesel::insert_into(excursion_holds::table)
        .values((
            excursion_holds::excursion_id.eq(excursion.0),
            excursion_holds::lot_id.eq(lot.0),
            excursion_holds::item_id.eq(item.0),
            excursion_holds::quantity.eq(units),
        ))
        .execute(conn)?;
    Ok(())
}

/// A decision as recorded on its held lot.
pub struct Decided<'a> {
    pub decision: Decision,
    pub by: &'a str,
    pub note: Option<&'a str>,
    /// The waste movement of destroyed units.
    pub movement: Option<MovementId>,
    pub at: NaiveDateTime,
}

/// Records the decision on one held lot, once: `false` when it was already decided.
pub fn decide(conn: &mut DbConnection, excursion: ExcursionId, lot: LotId, decided: &Decided<'_>) -> QueryResult<bool> {
    let Decided {
        decision,
        by,
        note,
        movement,
        at,
    } = *decided;
    let touched = diesel::update(
        excursion_holds::table
            .filter(excursion_holds::excursion_id.eq(excursion.0))
            .filter(excursion_holds::lot_id.eq(lot.0))
            .filter(excursion_holds::decision.is_null()),
    )
    .set((
        excursion_holds::decision.eq(decision.outcome()),
        excursion_holds::decided_at.eq(at),
        excursion_holds::decided_by.eq(by),
        excursion_holds::note.eq(note),
        excursion_holds::movement_id.eq(movement.map(|m| m.0)),
    ))
    .execute(conn)?;
    Ok(touched == 1)
}

/// Locks the excursion's row until the transaction ends (PostgreSQL; SQLite's write
/// transaction holds the database), so two decisions on it queue.
pub fn lock(conn: &mut DbConnection, id: ExcursionId) -> QueryResult<()> {
    if let DbConnection::Pg(pg) = conn {
        excursions::table
            .find(id.0)
            .select(excursions::id)
            .for_update()
            .execute(pg)?;
    }
    Ok(())
}

fn holds_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<Hold>>> {
    let rows: Vec<HoldRow> = excursion_holds::table
        .inner_join(lots::table)
        .filter(excursion_holds::excursion_id.eq_any(ids))
        .order((excursion_holds::excursion_id, excursion_holds::lot_id))
        .select((
            excursion_holds::excursion_id,
            excursion_holds::lot_id,
            excursion_holds::item_id,
            lots::lot_number,
            excursion_holds::quantity,
            excursion_holds::decision,
            excursion_holds::decided_at,
            excursion_holds::decided_by,
            excursion_holds::note,
            excursion_holds::movement_id,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<Hold>> = HashMap::new();
    for (excursion, lot, item, lot_number, quantity, decision, decided_at, decided_by, note, movement) in rows {
        let decision = match decision {
            None => None,
            Some(text) => Some(Decision::from_outcome(&text).ok_or_else(|| corrupt("hold decision", &text))?),
        };
        out.entry(excursion).or_default().push(Hold {
            lot_id: LotId(lot),
            item_id: ItemId(item),
            lot_number,
            quantity,
            decision,
            decided_at,
            decided_by,
            note,
            movement_id: movement.map(MovementId),
        });
    }
    Ok(out)
}

fn assemble(conn: &mut DbConnection, rows: Vec<ExcursionRow>) -> QueryResult<Vec<Excursion>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut holds = holds_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Excursion {
            id: ExcursionId(r.id),
            location_id: LocationId(r.location_id),
            started_at: r.started_at,
            ended_at: r.ended_at,
            max_temperature_c: r.max_temperature_c,
            min_temperature_c: r.min_temperature_c,
            note: r.note,
            recorded_at: r.recorded_at,
            recorded_by: r.recorded_by,
            held: holds.remove(&r.id).unwrap_or_default(),
        })
        .collect())
}

pub fn find(conn: &mut DbConnection, id: ExcursionId) -> QueryResult<Option<Excursion>> {
    let row: Option<ExcursionRow> = excursions::table.find(id.0).first(conn).optional()?;
    Ok(assemble(conn, row.into_iter().collect())?.pop())
}

/// Excursions in id order; `open`: with a held lot still undecided (or none left).
pub fn list(
    conn: &mut DbConnection,
    location: Option<LocationId>,
    open: Option<bool>,
    page: PageRequest,
) -> QueryResult<Page<Excursion>> {
    let undecided = excursion_holds::table
        .filter(excursion_holds::decision.is_null())
        .select(excursion_holds::excursion_id);
    let mut query = excursions::table
        .order(excursions::id)
        .limit(i64::from(page.limit) + 1)
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(excursions::id.gt(after));
    }
    if let Some(location) = location {
        query = query.filter(excursions::location_id.eq(location.0));
    }
    match open {
        Some(true) => query = query.filter(excursions::id.eq_any(undecided)),
        Some(false) => query = query.filter(excursions::id.ne_all(undecided)),
        None => {}
    }
    let rows: Vec<ExcursionRow> = query.load(conn)?;
    let excursions = assemble(conn, rows)?;
    Ok(Page::from_rows(excursions, page, |e| e.id.0))
}

/// Units held per (lot, location) by undecided holds: what `balances.held` must equal.
pub fn undecided_per_balance(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i64)>> {
    let rows: Vec<(i64, i64, i64)> = excursion_holds::table
        .inner_join(excursions::table)
        .filter(excursion_holds::decision.is_null())
        .select((
            excursion_holds::lot_id,
            excursions::location_id,
            excursion_holds::quantity,
        ))
        .load(conn)?;
    let mut sums: std::collections::BTreeMap<(i64, i64), i64> = Default::default();
    for (lot, location, quantity) in rows {
        *sums.entry((lot, location)).or_default() += quantity;
    }
    Ok(sums
        .into_iter()
        .map(|((lot, location), held)| (lot, location, held))
        .collect())
}

/// The excursion whose `destroy` decision wrote this waste movement, if one did.
pub fn destroyed_by(conn: &mut DbConnection, movement: MovementId) -> QueryResult<Option<ExcursionId>> {
    let found: Option<i64> = excursion_holds::table
        .filter(excursion_holds::movement_id.eq(movement.0))
        .select(excursion_holds::excursion_id)
        .first(conn)
        .optional()?;
    Ok(found.map(ExcursionId))
}
