//! Alerts: reorder thresholds crossed, lots expiring or expired. Pure rules.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::catalog::Named;
use super::ids::{AlertId, ExcursionId, ItemId, LocationId, LotId, OrderId, ThresholdId};
use super::ledger::is_expired;
use super::stock::{is_low, is_out, units_to_clear};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    LowStock,
    OutOfStock,
    Expiring,
    Expired,
    /// The forecast runs out within the supplier's lead time + safety days.
    ProjectedStockout,
    /// An order past its expected day and not received.
    OrderOverdue,
    /// A fridge got warm: its refrigerated units are held until a pharmacist decides.
    ColdChainExcursion,
}

impl Named for AlertKind {
    const ALL: &'static [Self] = &[
        AlertKind::LowStock,
        AlertKind::OutOfStock,
        AlertKind::Expiring,
        AlertKind::Expired,
        AlertKind::ProjectedStockout,
        AlertKind::OrderOverdue,
        AlertKind::ColdChainExcursion,
    ];
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::LowStock => "low_stock",
            AlertKind::OutOfStock => "out_of_stock",
            AlertKind::Expiring => "expiring",
            AlertKind::Expired => "expired",
            AlertKind::ProjectedStockout => "projected_stockout",
            AlertKind::OrderOverdue => "order_overdue",
            AlertKind::ColdChainExcursion => "cold_chain_excursion",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    /// Seen by someone: no more reminders, still unresolved.
    Acknowledged,
    Resolved,
}

impl Named for AlertState {
    const ALL: &'static [Self] = &[AlertState::Open, AlertState::Acknowledged, AlertState::Resolved];
    fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationStatus {
    Queued,
    Sent,
    Failed,
}

impl Named for NotificationStatus {
    const ALL: &'static [Self] = &[
        NotificationStatus::Queued,
        NotificationStatus::Sent,
        NotificationStatus::Failed,
    ];
    fn as_str(self) -> &'static str {
        match self {
            NotificationStatus::Queued => "queued",
            NotificationStatus::Sent => "sent",
            NotificationStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub id: ThresholdId,
    pub item_id: ItemId,
    /// `None`: all locations together.
    pub location_id: Option<LocationId>,
    pub reorder_point: i64,
    pub reorder_quantity: i64,
    pub lead_time_days: Option<u32>,
}

/// A validated threshold to create or replace (by item and location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewThreshold {
    pub item_id: ItemId,
    pub location_id: Option<LocationId>,
    pub reorder_point: i64,
    pub reorder_quantity: i64,
    pub lead_time_days: Option<u32>,
}

pub const MAX_REORDER: i64 = 1_000_000;
pub const MAX_LEAD_TIME_DAYS: u32 = 365;

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: AlertId,
    pub kind: AlertKind,
    pub item_id: ItemId,
    pub location_id: Option<LocationId>,
    pub lot_id: Option<LotId>,
    pub threshold_id: Option<ThresholdId>,
    pub state: AlertState,
    pub opened_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    /// Available units (stock alerts) or units of the lot (expiry alerts) when it opened.
    pub quantity: i64,
    /// The reorder point crossed (stock alerts).
    pub threshold: Option<i64>,
    /// The order late (`order_overdue`).
    pub order_id: Option<OrderId>,
    /// The excursion whose units are held (`cold_chain_excursion`).
    pub excursion_id: Option<ExcursionId>,
}

/// The key that makes "one alert per condition" checkable by a unique index.
pub fn threshold_condition(kind: AlertKind, threshold: ThresholdId) -> String {
    format!("{}:threshold:{threshold}", kind.as_str())
}

pub fn lot_condition(kind: AlertKind, lot: LotId) -> String {
    format!("{}:lot:{lot}", kind.as_str())
}

pub fn item_condition(kind: AlertKind, item: ItemId) -> String {
    format!("{}:item:{item}", kind.as_str())
}

pub fn order_condition(order: OrderId) -> String {
    format!("{}:order:{order}", AlertKind::OrderOverdue.as_str())
}

/// `projected_stockout` holds while the projected stockout falls on or before today + the
/// supplier's lead time + the safety days: later than that, an order placed in time still lands.
pub fn projected_stockout_holds(
    stockout_on: Option<NaiveDate>,
    today: NaiveDate,
    lead_time_days: u32,
    safety_days: u32,
) -> bool {
    stockout_on.is_some_and(|on| on <= today + Duration::days(i64::from(lead_time_days + safety_days)))
}

/// Which stock conditions hold: `low_stock` at or below the reorder point, `out_of_stock` at 0.
pub fn stock_conditions(available: i64, reorder_point: i64) -> [(AlertKind, bool); 2] {
    [
        (AlertKind::LowStock, is_low(available, reorder_point)),
        (AlertKind::OutOfStock, is_out(available)),
    ]
}

/// A lot with stock is `expired` from the day after its expiry, `expiring` within the warning.
pub fn expiry_condition(expires_on: NaiveDate, today: NaiveDate, warning_days: u32) -> Option<AlertKind> {
    if is_expired(expires_on, today) {
        Some(AlertKind::Expired)
    } else if expires_on <= today + Duration::days(i64::from(warning_days)) {
        Some(AlertKind::Expiring)
    } else {
        None
    }
}

/// How much to order: at least the reorder quantity, and enough to get back above the point.
pub fn suggested_quantity(available: i64, reorder_point: i64, reorder_quantity: i64) -> i64 {
    reorder_quantity.max(units_to_clear(available, reorder_point))
}

/// Exponential backoff between delivery attempts: `base`, 2×, 4×… capped at one hour.
pub fn retry_delay(base_seconds: u64, attempts: u32) -> Duration {
    let factor = 2u64.saturating_pow(attempts.saturating_sub(1).min(20));
    Duration::seconds(base_seconds.saturating_mul(factor).min(3600) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_conditions_have_hysteresis_at_the_point() {
        assert_eq!(
            stock_conditions(23, 22),
            [(AlertKind::LowStock, false), (AlertKind::OutOfStock, false)]
        );
        assert_eq!(
            stock_conditions(22, 22),
            [(AlertKind::LowStock, true), (AlertKind::OutOfStock, false)]
        );
        assert_eq!(
            stock_conditions(0, 22),
            [(AlertKind::LowStock, true), (AlertKind::OutOfStock, true)]
        );
        // A point of zero only ever warns when nothing is left.
        assert_eq!(
            stock_conditions(0, 0),
            [(AlertKind::LowStock, true), (AlertKind::OutOfStock, true)]
        );
    }

    #[test]
    fn expiry_window() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(
            expiry_condition(today - Duration::days(1), today, 90),
            Some(AlertKind::Expired)
        );
        assert_eq!(expiry_condition(today, today, 90), Some(AlertKind::Expiring));
        assert_eq!(
            expiry_condition(today + Duration::days(90), today, 90),
            Some(AlertKind::Expiring)
        );
        assert_eq!(expiry_condition(today + Duration::days(91), today, 90), None);
    }

    #[test]
    fn suggestions_get_back_above_the_point() {
        assert_eq!(suggested_quantity(6, 22, 30), 30);
        assert_eq!(suggested_quantity(0, 50, 30), 51);
        assert_eq!(suggested_quantity(22, 22, 1), 1);
    }

    #[test]
    fn projected_stockout_window_is_lead_time_plus_safety() {
        let today = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let on = |d| Some(today + Duration::days(d));
        assert!(projected_stockout_holds(on(0), today, 14, 14));
        assert!(projected_stockout_holds(on(28), today, 14, 14));
        assert!(!projected_stockout_holds(on(29), today, 14, 14));
        assert!(!projected_stockout_holds(None, today, 14, 14));
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(retry_delay(30, 1), Duration::seconds(30));
        assert_eq!(retry_delay(30, 3), Duration::seconds(120));
        assert_eq!(retry_delay(30, 40), Duration::seconds(3600));
    }
}
