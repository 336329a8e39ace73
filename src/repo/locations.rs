use diesel::prelude::*;

use chrono::NaiveDateTime;

use super::{contains_pattern, lower};
use crate::db::schema::locations;
use crate::db::DbConnection;
use crate::domain::catalog::{Location, LocationChanges, LocationFilter, NewLocation};
use crate::domain::ids::LocationId;
use crate::domain::page::{Page, PageRequest};

#[derive(Queryable)]
struct LocationRow {
    id: i64,
    code: String,
    name: String,
    active: bool,
    _created_at: chrono::NaiveDateTime,
    _updated_at: chrono::NaiveDateTime,
}

impl From<LocationRow> for Location {
    fn from(row: LocationRow) -> Location {
        Location {
            id: LocationId(row.id),
            code: row.code,
            name: row.name,
            active: row.active,
        }
    }
}

pub fn insert(conn: &mut DbConnection, new: &NewLocation, at: NaiveDateTime) -> QueryResult<Location> {
    let row: LocationRow = diesel::insert_into(locations::table)
        .values((
            locations::code.eq(&new.code),
            locations::name.eq(&new.name),
            locations::active.eq(new.active),
            locations::created_at.eq(at),
            locations::updated_at.eq(at),
        ))
        .returning(locations::all_columns)
        .get_result(conn)?;
    Ok(row.into())
}

pub fn find(conn: &mut DbConnection, id: LocationId) -> QueryResult<Option<Location>> {
    let row: Option<LocationRow> = locations::table.find(id.0).first(conn).optional()?;
    Ok(row.map(Location::from))
}

pub fn list(conn: &mut DbConnection, filter: &LocationFilter, page: PageRequest) -> QueryResult<Page<Location>> {
    let mut query = locations::table
        .into_boxed()
        .order(locations::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(locations::id.gt(after));
    }
    if let Some(active) = filter.active {
        query = query.filter(locations::active.eq(active));
    }
    if let Some(text) = &filter.text {
        let pattern = contains_pattern(text);
        query = query.filter(
            lower(locations::code)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(locations::name).like(pattern).escape('\\')),
        );
    }
    let rows: Vec<LocationRow> = query.load(conn)?;
    Ok(Page::from_rows(
        rows.into_iter().map(Location::from).collect(),
        page,
        |l| l.id.0,
    ))
}

pub fn update(
    conn: &mut DbConnection,
    id: LocationId,
    changes: &LocationChanges,
    at: NaiveDateTime,
) -> QueryResult<Option<Location>> {
    let row: Option<LocationRow> = diesel::update(locations::table.find(id.0))
        .set((
            changes.code.as_ref().map(|v| locations::code.eq(v)),
            changes.name.as_ref().map(|v| locations::name.eq(v)),
            changes.active.map(|v| locations::active.eq(v)),
            locations::updated_at.eq(at),
        ))
        .returning(locations::all_columns)
        .get_result(conn)
        .optional()?;
    Ok(row.map(Location::from))
}

/// The id of the location with this code (codes are stored upper case).
pub fn id_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<LocationId>> {
    let id: Option<i64> = locations::table
        .filter(locations::code.eq(code))
        .select(locations::id)
        .first(conn)
        .optional()?;
    Ok(id.map(LocationId))
}
