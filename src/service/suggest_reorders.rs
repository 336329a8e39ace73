//! Reorder suggestions: every threshold at or below its point, and every item whose forecast
//! needs an order today, each with its working.

use chrono::NaiveDate;

use crate::db::{read_snapshot, DbConnection};
use crate::domain::alert::{suggested_quantity, Threshold};
use crate::domain::forecast::{suggest, ForecastPolicy, Ordering, Suggestion};
use crate::domain::ids::ItemId;
use crate::domain::stock::{figures, is_low, units_to_clear, LotBalance, StockFigures};
use crate::repo;

use super::forecast;
use super::read_catalog::ReadError;

#[derive(Debug, Clone)]
pub struct ReorderSuggestion {
    pub threshold: Threshold,
    pub figures: StockFigures,
    /// Units needed to get back above the reorder point.
    pub to_clear_point: i64,
    pub suggested_quantity: i64,
}

/// A forecast suggestion of one item, with how the item is ordered.
#[derive(Debug, Clone)]
pub struct ForecastSuggestion {
    pub item_id: ItemId,
    pub ordering: Ordering,
    pub suggestion: Suggestion,
}

pub fn suggest_reorders(
    conn: &mut DbConnection,
    today: NaiveDate,
    policy: ForecastPolicy,
) -> Result<(Vec<ReorderSuggestion>, Vec<ForecastSuggestion>), ReadError> {
    read_snapshot(conn, |conn| {
        let thresholds = threshold_suggestions(conn, today)?;
        let mut forecasts = Vec::new();
        for (item_id, basis) in forecast::load(conn, None, today, policy, |_| 1)? {
            if let Some(suggestion) = suggest(&basis.inputs, basis.ordering) {
                forecasts.push(ForecastSuggestion {
                    item_id,
                    ordering: basis.ordering,
                    suggestion,
                });
            }
        }
        Ok((thresholds, forecasts))
    })
}

fn threshold_suggestions(conn: &mut DbConnection, today: NaiveDate) -> Result<Vec<ReorderSuggestion>, ReadError> {
    let mut suggestions = Vec::new();
    for threshold in repo::thresholds::all(conn)? {
        let balances = repo::balances::of_items(conn, &[threshold.item_id], threshold.location_id)?;
        let refs: Vec<&LotBalance> = balances.iter().collect();
        let stock = figures(&refs, today, Some(threshold.reorder_point));
        if !is_low(stock.available, threshold.reorder_point) {
            continue;
        }
        suggestions.push(ReorderSuggestion {
            to_clear_point: units_to_clear(stock.available, threshold.reorder_point),
            suggested_quantity: suggested_quantity(
                stock.available,
                threshold.reorder_point,
                threshold.reorder_quantity,
            ),
            figures: stock,
            threshold,
        });
    }
    Ok(suggestions)
}
