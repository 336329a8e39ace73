use diesel::prelude::*;

use chrono::NaiveDateTime;

use crate::db::schema::suppliers;
use crate::db::DbConnection;
use crate::domain::ids::SupplierId;
use crate::domain::page::{Page, PageRequest};
use crate::domain::supply::{NewSupplier, Supplier, SupplierChanges};

#[derive(Queryable)]
struct SupplierRow {
    id: i64,
    code: String,
    name: String,
    lead_time_days: i32,
    email: Option<String>,
    active: bool,
    _created_at: NaiveDateTime,
    _updated_at: NaiveDateTime,
}

impl From<SupplierRow> for Supplier {
    fn from(row: SupplierRow) -> Supplier {
        Supplier {
            id: SupplierId(row.id),
            code: row.code,
            name: row.name,
            // The column's CHECK keeps it within 0–365.
            lead_time_days: row.lead_time_days.max(0) as u32,
            email: row.email,
            active: row.active,
        }
    }
}

pub fn insert(conn: &mut DbConnection, new: &NewSupplier, at: NaiveDateTime) -> QueryResult<Supplier> {
    let row: SupplierRow = diesel::insert_into(suppliers::table)
        .values((
            suppliers::code.eq(&new.code),
            suppliers::name.eq(&new.name),
            suppliers::lead_time_days.eq(new.lead_time_days as i32),
            suppliers::email.eq(new.email.as_deref()),
            suppliers::active.eq(new.active),
            suppliers::created_at.eq(at),
            suppliers::updated_at.eq(at),
        ))
        .returning(suppliers::all_columns)
        .get_result(conn)?;
    Ok(row.into())
}

pub fn find(conn: &mut DbConnection, id: SupplierId) -> QueryResult<Option<Supplier>> {
    let row: Option<SupplierRow> = suppliers::table.find(id.0).first(conn).optional()?;
    Ok(row.map(Supplier::from))
}

pub fn list(conn: &mut DbConnection, active: Option<bool>, page: PageRequest) -> QueryResult<Page<Supplier>> {
    let mut query = suppliers::table
        .into_boxed()
        .order(suppliers::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(suppliers::id.gt(after));
    }
    if let Some(active) = active {
        query = query.filter(suppliers::active.eq(active));
    }
    let rows: Vec<SupplierRow> = query.load(conn)?;
    Ok(Page::from_rows(
        rows.into_iter().map(Supplier::from).collect(),
        page,
        |s| s.id.0,
    ))
}

pub fn update(
    conn: &mut DbConnection,
    id: SupplierId,
    changes: &SupplierChanges,
    at: NaiveDateTime,
) -> QueryResult<Option<Supplier>> {
    let row: Option<SupplierRow> = diesel::update(suppliers::table.find(id.0))
        .set((
            changes.code.as_ref().map(|v| suppliers::code.eq(v)),
            changes.name.as_ref().map(|v| suppliers::name.eq(v)),
            changes.lead_time_days.map(|v| suppliers::lead_time_days.eq(v as i32)),
            changes.email.as_ref().map(|v| suppliers::email.eq(v.as_deref())),
            changes.active.map(|v| suppliers::active.eq(v)),
            suppliers::updated_at.eq(at),
        ))
        .returning(suppliers::all_columns)
        .get_result(conn)
        .optional()?;
    Ok(row.map(Supplier::from))
}

/// The id of the supplier with this code (codes are stored upper case).
pub fn id_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<SupplierId>> {
    let id: Option<i64> = suppliers::table
        .filter(suppliers::code.eq(code))
        .select(suppliers::id)
        .first(conn)
        .optional()?;
    Ok(id.map(SupplierId))
}
