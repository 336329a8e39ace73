//! Reads of suppliers and purchase orders.

use crate::db::DbConnection;
use crate::domain::ids::{OrderId, SupplierId};
use crate::domain::page::{Page, PageRequest};
use crate::domain::supply::{Order, OrderFilter, Supplier};
use crate::repo;

use super::read_catalog::ReadError;

pub fn list_suppliers(
    conn: &mut DbConnection,
    active: Option<bool>,
    page: PageRequest,
) -> Result<Page<Supplier>, ReadError> {
    Ok(repo::suppliers::list(conn, active, page)?)
}

pub fn get_supplier(conn: &mut DbConnection, id: SupplierId) -> Result<Supplier, ReadError> {
    repo::suppliers::find(conn, id)?.ok_or(ReadError::NotFound)
}

pub fn list_orders(conn: &mut DbConnection, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>, ReadError> {
    Ok(repo::orders::list(conn, filter, page)?)
}

pub fn get_order(conn: &mut DbConnection, id: OrderId) -> Result<Order, ReadError> {
    repo::orders::find(conn, id)?.ok_or(ReadError::NotFound)
}
