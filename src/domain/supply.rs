//! Suppliers and purchase orders: what is on its way, and when an order counts as received or
//! overdue. Pure rules.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalog::Named;
use super::ids::{ItemId, OrderId, OrderLineId, SupplierId};
use super::quantity::Quantity;

pub const DEFAULT_LEAD_TIME_DAYS: u32 = 14;
pub const MAX_LEAD_TIME_DAYS: u32 = 365;
pub const MAX_PACK_SIZE: u32 = 10_000;
pub const MAX_SHELF_LIFE_DAYS: u32 = 3650;
pub const ORDER_LINES_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplier {
    pub id: SupplierId,
    pub code: String,
    pub name: String,
    pub lead_time_days: u32,
    pub email: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewSupplier {
    pub code: String,
    pub name: String,
    pub lead_time_days: u32,
    pub email: Option<String>,
    pub active: bool,
}

/// A partial update; `email: Some(None)` clears the address.
#[derive(Debug, Clone, Default)]
pub struct SupplierChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub lead_time_days: Option<u32>,
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

impl SupplierChanges {
    pub fn is_empty(&self) -> bool {
        self.code.is_none()
            && self.name.is_none()
            && self.lead_time_days.is_none()
            && self.email.is_none()
            && self.active.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Open,
    PartiallyReceived,
    Received,
    Cancelled,
}

impl Named for OrderStatus {
    const ALL: &'static [Self] = &[
        OrderStatus::Open,
        OrderStatus::PartiallyReceived,
        OrderStatus::Received,
        OrderStatus::Cancelled,
    ];
    fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::PartiallyReceived => "partially_received",
            OrderStatus::Received => "received",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

impl OrderStatus {
    /// The statuses of orders still on their way.
    pub const PENDING: [OrderStatus; 2] = [OrderStatus::Open, OrderStatus::PartiallyReceived];

    /// Open and partially received orders are still on their way.
    pub fn is_pending(self) -> bool {
        OrderStatus::PENDING.contains(&self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub id: OrderLineId,
    pub item_id: ItemId,
    pub quantity: i64,
    pub received_quantity: i64,
}

impl OrderLine {
    /// What the line still brings: max(quantity − received, 0).
    pub fn remaining(&self) -> i64 {
        remaining(self.quantity, self.received_quantity)
    }
}

pub fn remaining(quantity: i64, received_quantity: i64) -> i64 {
    (quantity - received_quantity).max(0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub supplier_id: SupplierId,
    pub reference: Option<String>,
    pub status: OrderStatus,
    pub ordered_on: NaiveDate,
    pub expected_on: NaiveDate,
    pub lines: Vec<OrderLine>,
}

/// A validated order to place; dates default from the supplier when it is known.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub supplier_id: SupplierId,
    pub reference: Option<String>,
    pub ordered_on: Option<NaiveDate>,
    pub expected_on: Option<NaiveDate>,
    pub lines: Vec<(ItemId, Quantity)>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub supplier_id: Option<SupplierId>,
}

/// The status of a pending order after what its lines have received: `received` once every line
/// has at least its quantity, `partially_received` once anything came.
pub fn status_after_receipts(lines: &[(i64, i64)]) -> OrderStatus {
    if lines.iter().all(|(quantity, received)| received >= quantity) {
        OrderStatus::Received
    } else if lines.iter().any(|(_, received)| *received > 0) {
        OrderStatus::PartiallyReceived
    } else {
        OrderStatus::Open
    }
}

/// An order still on its way after the day it was expected.
pub fn is_overdue(status: OrderStatus, expected_on: NaiveDate, today: NaiveDate) -> bool {
    status.is_pending() && expected_on < today
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_received_when_every_line_is() {
        assert_eq!(status_after_receipts(&[(10, 0), (5, 0)]), OrderStatus::Open);
        assert_eq!(
            status_after_receipts(&[(10, 4), (5, 0)]),
            OrderStatus::PartiallyReceived
        );
        assert_eq!(
            status_after_receipts(&[(10, 10), (5, 4)]),
            OrderStatus::PartiallyReceived
        );
        assert_eq!(status_after_receipts(&[(10, 12), (5, 5)]), OrderStatus::Received);
    }

    #[test]
    fn what_is_left_to_come_is_never_negative() {
        assert_eq!(remaining(10, 4), 6);
        assert_eq!(remaining(10, 12), 0);
    }

    #[test]
    fn overdue_only_after_the_expected_day_and_while_pending() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
        assert!(!is_overdue(OrderStatus::Open, day, day));
        assert!(is_overdue(OrderStatus::Open, day, day.succ_opt().unwrap()));
        assert!(is_overdue(OrderStatus::PartiallyReceived, day, day.succ_opt().unwrap()));
        assert!(!is_overdue(OrderStatus::Received, day, day.succ_opt().unwrap()));
        assert!(!is_overdue(OrderStatus::Cancelled, day, day.succ_opt().unwrap()));
    }
}
