//! Reads of suppliers and purchase orders.

use crate::db::DbConnection;
use crate::domain::ids::{OrderId, SupplierId};
use crate::domain::page::{read_all, Page, PageRequest};
use crate::domain::supply::{Order, OrderFilter, OrderStatus, Supplier};
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

/// Every order still on its way (open or partly received), by expected date, selected by
/// status in the database.
pub fn pending_orders(conn: &mut DbConnection) -> Result<Vec<Order>, ReadError> {
    let mut pending = Vec::new();
    for status in OrderStatus::PENDING {
        let filter = OrderFilter {
            status: Some(status),
            supplier_id: None,
        };
        pending.extend(read_all(|page| repo::orders::list(conn, &filter, page))?);
    }
    pending.sort_by_key(|o| (o.expected_on, o.id));
    Ok(pending)
}

pub fn get_order(conn: &mut DbConnection, id: OrderId) -> Result<Order, ReadError> {
    repo::orders::find(conn, id)?.ok_or(ReadError::NotFound)
}
