use diesel::prelude::*;

use chrono::NaiveDateTime;

use super::{contains_pattern, corrupt, is_unique_violation, lower, unique_violation_mentions};
use crate::db::schema::{item_gtins, items};
use crate::db::DbConnection;
use crate::domain::catalog::{Item, ItemChanges, ItemFilter, Named, NewItem};
use crate::domain::catalog::{ItemCategory, ItemOrdering, Storage};
use crate::domain::gtin::Gtin;
use crate::domain::ids::{ItemId, SupplierId};
use crate::domain::page::{Page, PageRequest};

#[derive(Queryable)]
struct ItemRow {
    id: i64,
    code: String,
    name: String,
    category: String,
    unit: String,
    storage: String,
    active: bool,
    _created_at: chrono::NaiveDateTime,
    _updated_at: chrono::NaiveDateTime,
    supplier_id: Option<i64>,
    pack_size: i32,
    shelf_life_days: Option<i32>,
}

impl ItemRow {
    fn into_item(self, gtins: Vec<Gtin>) -> QueryResult<Item> {
        Ok(Item {
            id: ItemId(self.id),
            category: ItemCategory::parse(&self.category).ok_or_else(|| corrupt("category", &self.category))?,
            storage: Storage::parse(&self.storage).ok_or_else(|| corrupt("storage", &self.storage))?,
            code: self.code,
            name: self.name,
            unit: self.unit,
            gtins,
            active: self.active,
            ordering: ItemOrdering {
                supplier_id: self.supplier_id.map(SupplierId),
                pack_size: u32::try_from(self.pack_size)
                    .map_err(|_| corrupt("pack size", &self.pack_size.to_string()))?,
                shelf_life_days: self.shelf_life_days.and_then(|d| u32::try_from(d).ok()),
            },
        })
    }
}

/// Which unique rule an item write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    Code,
    Gtin,
}

/// A unique violation as the `Duplicate` it means; any other error stays an error.
fn duplicate<T>(outcome: QueryResult<T>) -> QueryResult<Result<T, Duplicate>> {
    match outcome {
        Ok(value) => Ok(Ok(value)),
        Err(e) if unique_violation_mentions(&e, "gtin") => Ok(Err(Duplicate::Gtin)),
        Err(e) if is_unique_violation(&e) => Ok(Err(Duplicate::Code)),
        Err(e) => Err(e),
    }
}

pub fn insert(conn: &mut DbConnection, new: &NewItem, at: NaiveDateTime) -> QueryResult<Result<Item, Duplicate>> {
    duplicate(insert_row(conn, new, at))
}

fn insert_row(conn: &mut DbConnection, new: &NewItem, at: NaiveDateTime) -> QueryResult<Item> {
    let id: i64 = diesel::insert_into(items::table)
        .values((
            items::code.eq(&new.code),
            items::name.eq(&new.name),
            items::category.eq(new.category.as_str()),
            items::unit.eq(&new.unit),
            items::storage.eq(new.storage.as_str()),
            items::active.eq(new.active),
            items::supplier_id.eq(new.ordering.supplier_id.map(|s| s.0)),
            items::pack_size.eq(new.ordering.pack_size as i32),
            items::shelf_life_days.eq(new.ordering.shelf_life_days.map(|d| d as i32)),
            items::created_at.eq(at),
            items::updated_at.eq(at),
        ))
        .returning(items::id)
        .get_result(conn)?;
    replace_gtins(conn, ItemId(id), &new.gtins)?;
    find(conn, ItemId(id))?.ok_or(diesel::result::Error::NotFound)
}

/// Locks these items' rows until the transaction ends (PostgreSQL), in id order, so that the
/// item-level alerts of one item are evaluated by one transaction at a time.
pub fn lock(conn: &mut DbConnection, ids: &[ItemId]) -> QueryResult<()> {
    if !matches!(conn, DbConnection::Pg(_)) {
        return Ok(());
    }
    let mut sorted: Vec<i64> = ids.iter().map(|i| i.0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    for id in sorted {
        super::on_backend!(conn, "SELECT id FROM items WHERE id = ? FOR UPDATE", |q, c| q
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(c))?;
    }
    Ok(())
}

/// Whether the item exists and is active, without its GTINs: one indexed read.
pub fn active_flag(conn: &mut DbConnection, id: ItemId) -> QueryResult<Option<bool>> {
    items::table.find(id.0).select(items::active).first(conn).optional()
}

pub fn find(conn: &mut DbConnection, id: ItemId) -> QueryResult<Option<Item>> {
    let row: Option<ItemRow> = items::table.find(id.0).first(conn).optional()?;
    match row {
        None => Ok(None),
        Some(row) => {
            let gtins = gtins_of(conn, &[id])?.remove(&id).unwrap_or_default();
            row.into_item(gtins).map(Some)
        }
    }
}

pub fn list(conn: &mut DbConnection, filter: &ItemFilter, page: PageRequest) -> QueryResult<Page<Item>> {
    let mut query = items::table
        .into_boxed()
        .order(items::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(items::id.gt(after));
    }
    if let Some(category) = filter.category {
        query = query.filter(items::category.eq(category.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(items::active.eq(active));
    }
    if let Some(text) = &filter.text {
        let pattern = contains_pattern(text);
        let by_gtin = item_gtins::table
            .select(item_gtins::item_id)
            .filter(item_gtins::gtin.like(pattern.clone()));
        query = query.filter(
            lower(items::code)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(items::name).like(pattern).escape('\\'))
                .or(items::id.eq_any(by_gtin)),
        );
    }
    let rows: Vec<ItemRow> = query.load(conn)?;
    let ids: Vec<ItemId> = rows.iter().map(|r| ItemId(r.id)).collect();
    let mut gtins = gtins_of(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let id = ItemId(row.id);
            row.into_item(gtins.remove(&id).unwrap_or_default())
        })
        .collect::<QueryResult<Vec<Item>>>()?;
    Ok(Page::from_rows(items, page, |item| item.id.0))
}

/// Applies `changes`; returns `None` when no such item exists.
pub fn update(
    conn: &mut DbConnection,
    id: ItemId,
    changes: &ItemChanges,
    at: NaiveDateTime,
) -> QueryResult<Result<Option<Item>, Duplicate>> {
    duplicate(update_row(conn, id, changes, at))
}

fn update_row(
    conn: &mut DbConnection,
    id: ItemId,
    changes: &ItemChanges,
    at: NaiveDateTime,
) -> QueryResult<Option<Item>> {
    let touched = diesel::update(items::table.find(id.0))
        .set((
            changes.code.as_ref().map(|v| items::code.eq(v)),
            changes.name.as_ref().map(|v| items::name.eq(v)),
            changes.category.map(|v| items::category.eq(v.as_str())),
            changes.unit.as_ref().map(|v| items::unit.eq(v)),
            changes.storage.map(|v| items::storage.eq(v.as_str())),
            changes.active.map(|v| items::active.eq(v)),
            changes.supplier_id.map(|v| items::supplier_id.eq(v.map(|s| s.0))),
            changes.pack_size.map(|v| items::pack_size.eq(v as i32)),
            changes
                .shelf_life_days
                .map(|v| items::shelf_life_days.eq(v.map(|d| d as i32))),
            items::updated_at.eq(at),
        ))
        .execute(conn)?;
    if touched == 0 {
        return Ok(None);
    }
    if let Some(gtins) = &changes.gtins {
        replace_gtins(conn, id, gtins)?;
    }
    find(conn, id)
}

fn replace_gtins(conn: &mut DbConnection, id: ItemId, gtins: &[Gtin]) -> QueryResult<()> {
    diesel::delete(item_gtins::table.filter(item_gtins::item_id.eq(id.0))).execute(conn)?;
    // One row at a time: multi-row inserts do not compile through the multi-backend connection.
    for (position, gtin) in gtins.iter().enumerate() {
        diesel::insert_into(item_gtins::table)
            .values((
                item_gtins::gtin.eq(gtin.as_str()),
                item_gtins::item_id.eq(id.0),
                item_gtins::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Items kept in a fridge.
pub fn refrigerated(conn: &mut DbConnection) -> QueryResult<Vec<ItemId>> {
    items::table
        .filter(items::storage.eq(Storage::Refrigerated.as_str()))
        .select(items::id)
        .order(items::id)
        .load::<i64>(conn)
        .map(|ids| ids.into_iter().map(ItemId).collect())
}

/// The item a GTIN belongs to (a GTIN names one item at most).
pub fn by_gtin(conn: &mut DbConnection, gtin: &Gtin) -> QueryResult<Option<ItemId>> {
    item_gtins::table
        .select(item_gtins::item_id)
        .filter(item_gtins::gtin.eq(gtin.as_str()))
        .first::<i64>(conn)
        .optional()
        .map(|id| id.map(ItemId))
}

fn gtins_of(conn: &mut DbConnection, ids: &[ItemId]) -> QueryResult<std::collections::HashMap<ItemId, Vec<Gtin>>> {
    let raw: Vec<i64> = ids.iter().map(|id| id.0).collect();
    let rows: Vec<(i64, String)> = item_gtins::table
        .select((item_gtins::item_id, item_gtins::gtin))
        .filter(item_gtins::item_id.eq_any(raw))
        .order((item_gtins::item_id, item_gtins::position))
        .load(conn)?;
    let mut by_item: std::collections::HashMap<ItemId, Vec<Gtin>> = std::collections::HashMap::new();
    for (item_id, gtin) in rows {
        let gtin = Gtin::parse(&gtin).map_err(|_| corrupt("GTIN", &gtin))?;
        by_item.entry(ItemId(item_id)).or_default().push(gtin);
    }
    Ok(by_item)
}

/// The id of the item with this code (codes are stored upper case).
pub fn id_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<ItemId>> {
    let id: Option<i64> = items::table
        .filter(items::code.eq(code))
        .select(items::id)
        .first(conn)
        .optional()?;
    Ok(id.map(ItemId))
}
