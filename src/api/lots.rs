use actix_web::web;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clock;
use super::dto::{List, PageParams};
use super::extract::Json;
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::domain::ids::{ItemId, LotId};
use crate::domain::ledger::{Lot, LotStatus, REASON_MAX};
use crate::domain::text;
use crate::domain::token::Actor;
use crate::domain::validation::FieldErrors;
use crate::repo::lots::LotFilter;
use crate::service::change_lot_status::change_lot_status;
use crate::service::read_ledger::{get_lot, list_lots};

/// A lot (batch) of one item. Created by its first receipt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LotDto {
    pub id: LotId,
    pub item_id: ItemId,
    pub lot_number: String,
    /// Usable through this date, expired from the day after.
    pub expires_on: NaiveDate,
    /// Serial numbers of packs received in this lot.
    pub serials: Vec<String>,
    pub status: LotStatus,
    pub status_reason: Option<String>,
}

impl From<Lot> for LotDto {
    fn from(l: Lot) -> LotDto {
        LotDto {
            id: l.id,
            item_id: l.item_id,
            lot_number: l.lot_number,
            expires_on: l.expires_on,
            serials: l.serials,
            status: l.status,
            status_reason: l.status_reason,
        }
    }
}

/// Quarantine, recall or release a lot; nothing else about a lot changes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLotRequest {
    pub status: LotStatus,
    /// Why, for the audit trail (e.g. the manufacturer's recall notice).
    #[schema(value_type = texts::Reason)]
    pub status_reason: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LotQuery {
    pub item_id: Option<i64>,
    pub status: Option<LotStatus>,
    /// Lots expiring strictly before this date.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub expires_before: Option<NaiveDate>,
}

/// List lots.
#[utoipa::path(get, path = "/api/v1/lots", tag = "stock", params(LotQuery, PageParams),
    responses((status = 200, description = "Lots in id order", body = List<LotDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<LotQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<LotDto>>, Problem> {
    let page = page.page_request()?;
    let filter = LotFilter {
        item: query.item_id.map(ItemId),
        status: query.status,
        expires_before: query.expires_before,
    };
    let lots = state.pool.run(move |c| list_lots(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(lots, LotDto::from)))
}

/// One lot.
#[utoipa::path(get, path = "/api/v1/lots/{id}", tag = "stock", params(("id" = i64, Path, description = "Lot id")),
    responses((status = 200, description = "The lot", body = LotDto)))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<LotDto>, Problem> {
    let id = LotId(id.into_inner());
    Ok(web::Json(state.pool.run(move |c| get_lot(c, id)).await?.into()))
}

/// Change a lot's status (available, quarantined, recalled), with a reason.
#[utoipa::path(patch, path = "/api/v1/lots/{id}", tag = "stock", params(("id" = i64, Path, description = "Lot id")),
    request_body = UpdateLotRequest,
    responses((status = 200, description = "The lot as changed", body = LotDto)))]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<UpdateLotRequest>,
) -> Result<web::Json<LotDto>, Problem> {
    let id = LotId(id.into_inner());
    let request = body.into_inner();
    let reason =
        text::required_text("status_reason", &request.status_reason, REASON_MAX).map_err(|e| FieldErrors(vec![e]))?;
    let status = request.status;
    let forecast = state.policy.forecast;
    Ok(web::Json(
        state
            .pool
            .run(move |c| change_lot_status(c, &actor, clock::now(), id, status, &reason, forecast))
            .await?
            .into(),
    ))
}
