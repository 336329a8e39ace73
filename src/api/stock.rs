use actix_web::web;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dto::{List, PageParams};
use super::problem::Problem;
use super::AppState;
use crate::clock;
use crate::domain::catalog::ItemCategory;
use crate::domain::ids::{ItemId, LocationId, LotId};
use crate::domain::ledger::{is_expired, LotStatus};
use crate::domain::stock::StockStatus;
use crate::service::count_stock::{count_stock, StockQuery, StockRow};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockLotDto {
    pub lot_id: LotId,
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub location_id: LocationId,
    pub quantity: i64,
    pub status: LotStatus,
    /// Past its `expires_on` today.
    pub expired: bool,
}

/// Stock of one item (or one item at one location).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockRowDto {
    pub item_id: ItemId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<LocationId>,
    /// Every unit on the shelf: available + expired + quarantined.
    pub on_hand: i64,
    /// Units of available lots not expired today: what can be dispensed.
    pub available: i64,
    /// Units of lots past their expiry, whatever their status.
    pub expired: i64,
    /// Units of quarantined or recalled lots not yet expired.
    pub quarantined: i64,
    pub reorder_point: Option<i64>,
    /// Units of the item still to come from open and partially received orders (orders are not
    /// per location: a per-location row shows the item's total).
    pub on_order: i64,
    pub status: StockStatus,
    /// Lots with stock, earliest expiry first.
    pub lots: Vec<StockLotDto>,
}

fn row_dto(row: StockRow, today: NaiveDate) -> StockRowDto {
    StockRowDto {
        item_id: row.item_id,
        location_id: row.location_id,
        on_hand: row.figures.on_hand,
        available: row.figures.available,
        expired: row.figures.expired,
        quarantined: row.figures.quarantined,
        reorder_point: row.reorder_point,
        on_order: row.on_order,
        status: row.figures.status,
        lots: row
            .lots
            .into_iter()
            .map(|b| StockLotDto {
                lot_id: b.lot_id,
                expired: is_expired(b.expires_on, today),
                lot_number: b.lot_number,
                expires_on: b.expires_on,
                location_id: b.location_id,
                quantity: b.quantity,
                status: b.status,
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockGrouping {
    Item,
    Location,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockParams {
    pub item_id: Option<i64>,
    /// Figures at this location only (one row per item).
    pub location_id: Option<i64>,
    pub category: Option<ItemCategory>,
    /// `location`: one row per item and location holding it. Pages count items.
    #[param(inline)]
    pub by: Option<StockGrouping>,
}

/// Stock per item (or per item and location): on hand, available, expired, quarantined, lots.
#[utoipa::path(get, path = "/api/v1/stock", tag = "stock", params(StockParams, PageParams),
    responses((status = 200, description = "Stock rows in item order", body = List<StockRowDto>)))]
pub async fn get(
    state: web::Data<AppState>,
    params: web::Query<StockParams>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<StockRowDto>>, Problem> {
    let page = page.page_request()?;
    let query = StockQuery {
        item: params.item_id.map(ItemId),
        location: params.location_id.map(LocationId),
        category: params.category,
        by_location: matches!(params.by, Some(StockGrouping::Location)),
    };
    let today = clock::today();
    let rows = state.pool.run(move |c| count_stock(c, &query, today, page)).await?;
    Ok(web::Json(List::from_page(rows, |row| row_dto(row, today))))
}
