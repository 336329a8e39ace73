//! Stock figures of an item from its lot balances.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::{ItemId, LocationId, LotId};
use super::ledger::{is_expired, LotStatus};

/// One lot's balance at one location.
#[derive(Debug, Clone, PartialEq)]
pub struct LotBalance {
    pub item_id: ItemId,
    pub location_id: LocationId,
    pub lot_id: LotId,
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub status: LotStatus,
    pub quantity: i64,
    /// Units held after a cold-chain excursion at this location (part of `quantity`).
    pub held: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    Ok,
    /// Available at or below the reorder point.
    Low,
    /// Nothing available.
    Out,
}

/// The figures of one stock row. `on_hand = available + expired + quarantined`: expired counts
/// every expired lot whatever its status; quarantined counts quarantined and recalled lots that
/// have not expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockFigures {
    pub on_hand: i64,
    pub available: i64,
    pub expired: i64,
    pub quarantined: i64,
    pub status: StockStatus,
}

pub fn figures(balances: &[&LotBalance], today: NaiveDate, reorder_point: Option<i64>) -> StockFigures {
    let mut f = StockFigures {
        on_hand: 0,
        available: 0,
        expired: 0,
        quarantined: 0,
        status: StockStatus::Ok,
    };
    for b in balances {
        f.on_hand += b.quantity;
        if is_expired(b.expires_on, today) {
            f.expired += b.quantity;
        } else if b.status == LotStatus::Available {
            // Units held after a cold-chain excursion wait for a pharmacist: quarantined.
            f.available += b.quantity - b.held;
            f.quarantined += b.held;
        } else {
            f.quarantined += b.quantity;
        }
    }
    f.status = status(f.available, reorder_point);
    f
}

/// Nothing available: `out` in stock rows, `out_of_stock` in alerts.
pub fn is_out(available: i64) -> bool {
    available <= 0
}

/// At or below the reorder point: `low` in stock rows, `low_stock` in alerts, a suggestion.
pub fn is_low(available: i64, reorder_point: i64) -> bool {
    available <= reorder_point
}

/// Units that get available stock back above the reorder point (0 when it is above).
pub fn units_to_clear(available: i64, reorder_point: i64) -> i64 {
    (reorder_point - available + 1).max(0)
}

pub fn status(available: i64, reorder_point: Option<i64>) -> StockStatus {
    match reorder_point {
        _ if is_out(available) => StockStatus::Out,
        Some(point) if is_low(available, point) => StockStatus::Low,
        _ => StockStatus::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(lot: i64, expires_day: u32, status: LotStatus, quantity: i64) -> LotBalance {
        LotBalance {
            item_id: ItemId(1),
            location_id: LocationId(1),
            lot_id: LotId(lot),
            lot_number: format!("L{lot}"),
            expires_on: NaiveDate::from_ymd_opt(2027, 1, expires_day).unwrap(),
            status,
            quantity,
            held: 0,
        }
    }

    #[test]
    fn expired_and_quarantined_stock_is_not_available() {
        let today = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
        let rows = [
            balance(1, 9, LotStatus::Available, 4),
            balance(2, 10, LotStatus::Available, 5),
            balance(3, 20, LotStatus::Quarantined, 2),
            balance(4, 20, LotStatus::Recalled, 1),
            balance(5, 1, LotStatus::Recalled, 7),
        ];
        let refs: Vec<&LotBalance> = rows.iter().collect();
        let f = figures(&refs, today, Some(5));
        assert_eq!((f.on_hand, f.available, f.expired, f.quarantined), (19, 5, 11, 3));
        assert_eq!(f.status, StockStatus::Low);
        assert_eq!(figures(&refs, today, Some(4)).status, StockStatus::Ok);
        assert_eq!(figures(&refs[..1], today, None).status, StockStatus::Out);
    }
}
