//! Cancelling an order: what it had not brought no longer counts as on its way.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::Named;
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::{ItemId, OrderId};
use crate::domain::supply::{Order, OrderStatus};
use crate::domain::token::Actor;
use crate::repo;
use crate::repo::audit::{self, AuditEntry};

use super::evaluate_alerts;

#[derive(Debug, thiserror::Error)]
pub enum CancelOrderError {
    #[error("no order {0}")]
    NotFound(OrderId),
    #[error("order {order} is {} and cannot be cancelled", .status.as_str())]
    Closed { order: OrderId, status: OrderStatus },
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(CancelOrderError);

pub fn cancel_order(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    id: OrderId,
) -> Result<Order, CancelOrderError> {
    write_tx(conn, |conn| {
        repo::orders::lock(conn, id)?;
        let order = repo::orders::find(conn, id)?.ok_or(CancelOrderError::NotFound(id))?;
        if !order.status.is_pending() {
            return Err(CancelOrderError::Closed {
                order: id,
                status: order.status,
            });
        }
        repo::orders::set_status(conn, id, OrderStatus::Cancelled, now)?;
        let items: Vec<ItemId> = order.lines.iter().map(|l| l.item_id).collect();
        evaluate_alerts::evaluate_projected_stockouts(conn, Some(&items), forecast, now)?;
        evaluate_alerts::evaluate_order(conn, id, forecast, now)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "order.cancel",
                target_type: "order",
                target_id: id.to_string(),
                summary: format!("cancelled order {id}"),
            },
        )?;
        repo::orders::find(conn, id)?
            .ok_or_else(|| StorageError::Invariant(format!("order {id} vanished inside its own transaction")).into())
    })
}
