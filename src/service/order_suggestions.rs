//! Turning the forecast's suggestions into one purchase order: the quantities the forecast
//! suggests today for a supplier's items (or some of them), placed in one transaction.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::forecast::{suggest, ForecastPolicy};
use crate::domain::ids::{ItemId, SupplierId};
use crate::domain::quantity::{Quantity, MAX_QUANTITY};
use crate::domain::supply::{NewOrder, Order};
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::repo;

use super::forecast::load;
use super::place_order::{place_in_tx, PlaceOrderError};

#[derive(Debug, thiserror::Error)]
pub enum OrderSuggestionsError {
    #[error("invalid request")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(OrderSuggestionsError);

impl From<PlaceOrderError> for OrderSuggestionsError {
    fn from(error: PlaceOrderError) -> Self {
        match error {
            PlaceOrderError::Invalid(errors) => OrderSuggestionsError::Invalid(errors),
            PlaceOrderError::Storage(e) => OrderSuggestionsError::Storage(e),
        }
    }
}

/// What to order from whom: every item of the supplier with a suggestion, or only `items`.
#[derive(Debug, Clone)]
pub struct SuggestedOrder {
    pub supplier_id: SupplierId,
    pub items: Option<Vec<ItemId>>,
    pub reference: Option<String>,
}

pub fn order_suggestions(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    request: SuggestedOrder,
) -> Result<Order, OrderSuggestionsError> {
    write_tx(conn, |conn| {
        let invalid = |field: &str, message: &str| OrderSuggestionsError::Invalid(FieldErrors::single(field, message));
        if repo::suppliers::find(conn, request.supplier_id)?.is_none() {
            return Err(invalid("supplier_id", "no such supplier"));
        }
        let supplied = repo::forecast::items_of_supplier(conn, request.supplier_id)?;
        let wanted = match &request.items {
            None => supplied,
            Some(items) => {
                let mut errors = FieldErrors::default();
                for (i, item) in items.iter().enumerate() {
                    if !supplied.contains(item) {
                        errors.push(FieldError::new(
                            format!("item_ids[{i}]"),
                            "no such active item from this supplier",
                        ));
                    }
                }
                errors.finish(|| Some(())).map_err(OrderSuggestionsError::Invalid)?;
                items.clone()
            }
        };
        let today = now.date();
        let mut lines = Vec::new();
        for (item, basis) in load(conn, Some(&wanted), today, forecast, |_| 1)? {
            if let Some(suggestion) = suggest(&basis.inputs, basis.ordering) {
                let quantity = Quantity::new(i64::from(suggestion.quantity)).ok_or_else(|| {
                    invalid(
                        "item_ids",
                        &format!("the suggestion for item {item} exceeds {MAX_QUANTITY} units: order it by hand"),
                    )
                })?;
                lines.push((item, quantity));
            }
        }
        if lines.is_empty() {
            return Err(invalid(
                "supplier_id",
                "no forecast suggestion for these items today: nothing to order",
            ));
        }
        let new = NewOrder {
            supplier_id: request.supplier_id,
            reference: request.reference.clone(),
            ordered_on: Some(today),
            expected_on: None,
            lines,
        };
        let id = place_in_tx(conn, actor, now, forecast, &new)?;
        repo::orders::find(conn, id)?
            .ok_or_else(|| StorageError::Invariant(format!("order {id} vanished inside its own transaction")).into())
    })
}
