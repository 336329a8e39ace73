//! A reorder threshold as an edge receives it, checked into `NewThreshold`.

use crate::domain::alert::{NewThreshold, MAX_LEAD_TIME_DAYS, MAX_REORDER};
use crate::domain::ids::{ItemId, LocationId};
use crate::domain::validation::{FieldError, FieldErrors};

/// A reorder threshold as an edge received it (upserted by item and location).
#[derive(Debug, Clone)]
pub struct ThresholdInput {
    pub item_id: i64,
    /// Omit or `null` for all locations together.
    pub location_id: Option<i64>,
    /// Alert when available stock falls to or below this.
    pub reorder_point: i64,
    /// What one order usually brings; at least 1.
    pub reorder_quantity: i64,
    pub lead_time_days: Option<i64>,
}

impl TryFrom<ThresholdInput> for NewThreshold {
    type Error = FieldErrors;
    fn try_from(r: ThresholdInput) -> Result<NewThreshold, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !(0..=MAX_REORDER).contains(&r.reorder_point) {
            errors.push(FieldError::new(
                "reorder_point",
                format!("must be between 0 and {MAX_REORDER}"),
            ));
        }
        if !(1..=MAX_REORDER).contains(&r.reorder_quantity) {
            errors.push(FieldError::new(
                "reorder_quantity",
                format!("must be between 1 and {MAX_REORDER}"),
            ));
        }
        let lead_time_days = match r.lead_time_days {
            None => None,
            Some(days) => match u32::try_from(days).ok().filter(|d| *d <= MAX_LEAD_TIME_DAYS) {
                Some(days) => Some(days),
                None => {
                    errors.push(FieldError::new(
                        "lead_time_days",
                        format!("must be between 0 and {MAX_LEAD_TIME_DAYS}"),
                    ));
                    None
                }
            },
        };
        errors.finish(|| {
            Some(NewThreshold {
                item_id: ItemId(r.item_id),
                location_id: r.location_id.map(LocationId),
                reorder_point: r.reorder_point,
                reorder_quantity: r.reorder_quantity,
                lead_time_days,
            })
        })
    }
}
