//! Purchase orders and their lines; what receipts counted against them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{corrupt, on_backend};
use crate::db::schema::{order_lines, order_receipts, orders};
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, MovementId, OrderId, OrderLineId, SupplierId};
use crate::domain::page::{Page, PageRequest};
use crate::domain::quantity::Quantity;
use crate::domain::supply::{Order, OrderFilter, OrderLine, OrderStatus};

#[derive(Queryable)]
struct OrderRow {
    id: i64,
    supplier_id: i64,
    reference: Option<String>,
    status: String,
    ordered_on: NaiveDate,
    expected_on: NaiveDate,
    _created_at: NaiveDateTime,
    _updated_at: NaiveDateTime,
}

#[derive(Queryable)]
struct LineRow {
    id: i64,
    order_id: i64,
    _line_index: i32,
    item_id: i64,
    quantity: i64,
    received_quantity: i64,
}

fn order(row: OrderRow, lines: Vec<OrderLine>) -> QueryResult<Order> {
    Ok(Order {
        id: OrderId(row.id),
        supplier_id: SupplierId(row.supplier_id),
        reference: row.reference,
        status: OrderStatus::parse(&row.status).ok_or_else(|| corrupt("order status", &row.status))?,
        ordered_on: row.ordered_on,
        expected_on: row.expected_on,
        lines,
    })
}

fn line(row: &LineRow) -> OrderLine {
    OrderLine {
        id: OrderLineId(row.id),
        item_id: ItemId(row.item_id),
        quantity: row.quantity,
        received_quantity: row.received_quantity,
    }
}

/// The order a new one becomes: its dates already settled.
pub struct OrderToInsert<'a> {
    pub supplier_id: SupplierId,
    pub reference: Option<&'a str>,
    pub ordered_on: NaiveDate,
    pub expected_on: NaiveDate,
    pub lines: &'a [(ItemId, Quantity)],
}

pub fn insert(conn: &mut DbConnection, new: &OrderToInsert<'_>, at: NaiveDateTime) -> QueryResult<OrderId> {
    let id: i64 = diesel::insert_into(orders::table)
        .values((
            orders::supplier_id.eq(new.supplier_id.0),
            orders::reference.eq(new.reference),
            orders::status.eq(OrderStatus::Open.as_str()),
            orders::ordered_on.eq(new.ordered_on),
            orders::expected_on.eq(new.expected_on),
            orders::created_at.eq(at),
            orders::updated_at.eq(at),
        ))
        .returning(orders::id)
        .get_result(conn)?;
    // One row at a time: multi-row inserts do not compile through the multi-backend connection.
    for (index, (item, quantity)) in new.lines.iter().enumerate() {
        diesel::insert_into(order_lines::table)
            .values((
                order_lines::order_id.eq(id),
                order_lines::line_index.eq(index as i32),
                order_lines::item_id.eq(item.0),
                order_lines::quantity.eq(quantity.as_i64()),
                order_lines::received_quantity.eq(0i64),
            ))
            .execute(conn)?;
    }
    Ok(OrderId(id))
}

fn lines_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<OrderLine>>> {
    let rows: Vec<LineRow> = order_lines::table
        .filter(order_lines::order_id.eq_any(ids))
        .order((order_lines::order_id, order_lines::line_index))
        .load(conn)?;
    let mut by_order: HashMap<i64, Vec<OrderLine>> = HashMap::new();
    for row in &rows {
        by_order.entry(row.order_id).or_default().push(line(row));
    }
    Ok(by_order)
}

pub fn find(conn: &mut DbConnection, id: OrderId) -> QueryResult<Option<Order>> {
    let row: Option<OrderRow> = orders::table.find(id.0).first(conn).optional()?;
    let Some(row) = row else { return Ok(None) };
    let lines = lines_of(conn, &[row.id])?.remove(&row.id).unwrap_or_default();
    order(row, lines).map(Some)
}

pub fn list(conn: &mut DbConnection, filter: &OrderFilter, page: PageRequest) -> QueryResult<Page<Order>> {
    let mut query = orders::table
        .into_boxed()
        .order(orders::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(orders::id.gt(after));
    }
    if let Some(status) = filter.status {
        query = query.filter(orders::status.eq(status.as_str()));
    }
    if let Some(supplier) = filter.supplier_id {
        query = query.filter(orders::supplier_id.eq(supplier.0));
    }
    let rows: Vec<OrderRow> = query.load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut lines = lines_of(conn, &ids)?;
    let found = rows
        .into_iter()
        .map(|row| {
            let of = lines.remove(&row.id).unwrap_or_default();
            order(row, of)
        })
        .collect::<QueryResult<Vec<Order>>>()?;
    Ok(Page::from_rows(found, page, |o| o.id.0))
}

/// Locks the order until the transaction ends (PostgreSQL), so that receipts and a cancellation
/// of one order apply one after the other. SQLite's write transaction already holds everything.
pub fn lock(conn: &mut DbConnection, id: OrderId) -> QueryResult<()> {
    if matches!(conn, DbConnection::Pg(_)) {
        on_backend!(conn, "SELECT id FROM orders WHERE id = ? FOR UPDATE", |q, c| q
            .bind::<BigInt, _>(id.0)
            .execute(c))?;
    }
    Ok(())
}

/// The order a line belongs to, and the line's item.
pub fn line_owner(conn: &mut DbConnection, line: OrderLineId) -> QueryResult<Option<(OrderId, ItemId)>> {
    let row: Option<(i64, i64)> = order_lines::table
        .find(line.0)
        .select((order_lines::order_id, order_lines::item_id))
        .first(conn)
        .optional()?;
    Ok(row.map(|(order, item)| (OrderId(order), ItemId(item))))
}

pub fn set_status(conn: &mut DbConnection, id: OrderId, status: OrderStatus, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(orders::table.find(id.0))
        .set((orders::status.eq(status.as_str()), orders::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// Counts `quantity` (negative for a reversal) against a line, and remembers which movement did.
pub fn count_receipt(
    conn: &mut DbConnection,
    line: OrderLineId,
    movement: MovementId,
    quantity: i64,
) -> QueryResult<()> {
    diesel::update(order_lines::table.find(line.0))
        .set(order_lines::received_quantity.eq(order_lines::received_quantity + quantity))
        .execute(conn)?;
    diesel::insert_into(order_receipts::table)
        .values((
            order_receipts::order_line_id.eq(line.0),
            order_receipts::movement_id.eq(movement.0),
            order_receipts::quantity.eq(quantity),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a movement counted against order lines: (line, order, units).
pub fn receipts_of(conn: &mut DbConnection, movement: MovementId) -> QueryResult<Vec<(OrderLineId, OrderId, i64)>> {
    let rows: Vec<(i64, i64, i64)> = order_receipts::table
        .inner_join(order_lines::table.on(order_lines::id.eq(order_receipts::order_line_id)))
        .filter(order_receipts::movement_id.eq(movement.0))
        .select((
            order_receipts::order_line_id,
            order_lines::order_id,
            order_receipts::quantity,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(line, order, quantity)| (OrderLineId(line), OrderId(order), quantity))
        .collect())
}

/// A line of an order still on its way: the order's expected day and what the line still brings.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingLine {
    pub item_id: ItemId,
    pub expected_on: NaiveDate,
    pub quantity: i64,
    pub received_quantity: i64,
}

/// Lines of open and partially received orders, of these items (all items when `None`).
pub fn pending_lines(conn: &mut DbConnection, items: Option<&[ItemId]>) -> QueryResult<Vec<PendingLine>> {
    let pending = [OrderStatus::Open.as_str(), OrderStatus::PartiallyReceived.as_str()];
    let mut query = order_lines::table
        .inner_join(orders::table)
        .filter(orders::status.eq_any(pending))
        .select((
            order_lines::item_id,
            orders::expected_on,
            order_lines::quantity,
            order_lines::received_quantity,
        ))
        .into_boxed();
    if let Some(items) = items {
        query = query.filter(order_lines::item_id.eq_any(items.iter().map(|i| i.0).collect::<Vec<_>>()));
    }
    let rows: Vec<(i64, NaiveDate, i64, i64)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(item, expected_on, quantity, received_quantity)| PendingLine {
            item_id: ItemId(item),
            expected_on,
            quantity,
            received_quantity,
        })
        .collect())
}

/// Orders still on their way: (order, expected_on), for the overdue check.
pub fn pending(conn: &mut DbConnection) -> QueryResult<Vec<(OrderId, NaiveDate)>> {
    let pending = [OrderStatus::Open.as_str(), OrderStatus::PartiallyReceived.as_str()];
    let rows: Vec<(i64, NaiveDate)> = orders::table
        .filter(orders::status.eq_any(pending))
        .select((orders::id, orders::expected_on))
        .order(orders::id)
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, on)| (OrderId(id), on)).collect())
}
