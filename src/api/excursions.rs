//! The cold chain (API.md, "Cold chain"): excursions of a location's fridge, and the decision on
//! each lot they hold.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{utc, List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::cold_chain::Excursion;
use crate::domain::ids::{ExcursionId, ItemId, LocationId, LotId, MovementId};
use crate::domain::token::Actor;
use crate::service::decide_excursion::decide_excursion;
use crate::service::input::excursion::{DecisionInput, ExcursionInput};
use crate::service::read_ledger::{get_excursion, list_excursions};
use crate::service::record_excursion::record_excursion;

/// The units of one lot an excursion held.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeldLotDto {
    pub lot_id: LotId,
    pub item_id: ItemId,
    pub lot_number: String,
    pub quantity: i64,
    /// null until a pharmacist decides; then `released` or `destroyed`.
    pub decision: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    /// The waste movement of destroyed units.
    pub movement_id: Option<MovementId>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExcursionDto {
    pub id: ExcursionId,
    pub location_id: LocationId,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub max_temperature_c: f64,
    pub min_temperature_c: Option<f64>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    /// Open while a held lot waits for its decision.
    pub open: bool,
    pub held: Vec<HeldLotDto>,
}

impl From<Excursion> for ExcursionDto {
    fn from(e: Excursion) -> ExcursionDto {
        ExcursionDto {
            open: e.is_open(),
            id: e.id,
            location_id: e.location_id,
            started_at: utc(e.started_at),
            ended_at: e.ended_at.map(utc),
            max_temperature_c: e.max_temperature_c,
            min_temperature_c: e.min_temperature_c,
            note: e.note,
            recorded_at: utc(e.recorded_at),
            recorded_by: e.recorded_by,
            held: e
                .held
                .into_iter()
                .map(|h| HeldLotDto {
                    lot_id: h.lot_id,
                    item_id: h.item_id,
                    lot_number: h.lot_number,
                    quantity: h.quantity,
                    decision: h.decision.map(|d| d.outcome().to_owned()),
                    decided_at: h.decided_at.map(utc),
                    decided_by: h.decided_by,
                    note: h.note,
                    movement_id: h.movement_id,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExcursionRequest {
    /// When the fridge left 2–8 °C.
    #[schema(value_type = texts::OccurredAt)]
    pub started_at: DateTime<Utc>,
    /// When it was back in range; absent while it is not.
    #[schema(value_type = Option<texts::OccurredAt>)]
    pub ended_at: Option<DateTime<Utc>>,
    /// The warmest reading, °C.
    #[schema(minimum = -40.0, maximum = 60.0)]
    pub max_temperature_c: f64,
    /// The coldest reading, °C (below 2 °C: frozen).
    #[schema(minimum = -40.0, maximum = 60.0)]
    pub min_temperature_c: Option<f64>,
    #[schema(value_type = Option<texts::Note>)]
    pub note: Option<String>,
}

/// Report a cold-chain excursion of this location's fridge: every refrigerated unit there is
/// held (only there) until a pharmacist releases or destroys it, lot by lot; a
/// `cold_chain_excursion` alert opens and is emailed.
#[utoipa::path(post, path = "/api/v1/locations/{id}/excursions", tag = "stock",
    params(("id" = i64, Path, description = "The location whose fridge got warm")),
    request_body = CreateExcursionRequest,
    responses((status = 201, description = "Recorded, with what it holds", body = ExcursionDto),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<CreateExcursionRequest>,
) -> Result<HttpResponse, Problem> {
    let now = clock::now();
    let new = ExcursionInput::from(body.into_inner()).parse(LocationId(id.into_inner()), now)?;
    let forecast = state.policy.forecast;
    respond(&state, &req, actor, move |conn, actor| {
        let excursion = record_excursion(conn, actor, now, forecast, new)?;
        Reply::created(
            format!("/api/v1/excursions/{}", excursion.id),
            &ExcursionDto::from(excursion),
        )
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// A lot the excursion held.
    pub lot_id: i64,
    /// `release`: usable again; `destroy`: a `waste` movement with reason `cold_chain_breach`.
    #[schema(value_type = String, pattern = "^(release|destroy)$", max_length = 7)]
    pub decision: String,
    #[schema(value_type = Option<texts::Note>)]
    pub note: Option<String>,
}

/// Decide on one lot an excursion held, once: release or destroy. When every held lot is
/// decided, the alert resolves.
#[utoipa::path(post, path = "/api/v1/excursions/{id}/decisions", tag = "stock",
    params(("id" = i64, Path, description = "Excursion id")),
    request_body = DecisionRequest,
    responses((status = 200, description = "The excursion after the decision", body = ExcursionDto),
        (status = 404, description = "No such excursion", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already-decided: this lot was decided before", body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<DecisionRequest>,
) -> Result<HttpResponse, Problem> {
    let now = clock::now();
    let request = DecisionInput::from(body.into_inner()).parse()?;
    let excursion = ExcursionId(id.into_inner());
    let policy = state.policy;
    respond(&state, &req, actor, move |conn, actor| {
        let decided = decide_excursion(conn, actor, now, policy, excursion, request)?;
        Reply::ok(&ExcursionDto::from(decided))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExcursionQuery {
    pub location_id: Option<i64>,
    /// true: with a held lot still undecided; false: all decided.
    pub open: Option<bool>,
}

/// List excursions, oldest first.
#[utoipa::path(get, path = "/api/v1/excursions", tag = "stock", params(ExcursionQuery, PageParams),
    responses((status = 200, description = "Excursions in id order", body = List<ExcursionDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ExcursionQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<ExcursionDto>>, Problem> {
    let page = page.page_request()?;
    let location = query.location_id.map(LocationId);
    let open = query.open;
    let found = state
        .pool
        .run(move |c| list_excursions(c, location, open, page))
        .await?;
    Ok(web::Json(List::from_page(found, ExcursionDto::from)))
}

/// One excursion.
#[utoipa::path(get, path = "/api/v1/excursions/{id}", tag = "stock", params(("id" = i64, Path, description = "Excursion id")),
    responses((status = 200, description = "The excursion", body = ExcursionDto),
        (status = 404, description = "No such excursion", body = Problem, content_type = "application/problem+json")))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<ExcursionDto>, Problem> {
    let id = ExcursionId(id.into_inner());
    Ok(web::Json(state.pool.run(move |c| get_excursion(c, id)).await?.into()))
}

impl From<CreateExcursionRequest> for ExcursionInput {
    fn from(r: CreateExcursionRequest) -> ExcursionInput {
        ExcursionInput {
            started_at: r.started_at,
            ended_at: r.ended_at,
            max_temperature_c: r.max_temperature_c,
            min_temperature_c: r.min_temperature_c,
            note: r.note,
        }
    }
}

impl From<DecisionRequest> for DecisionInput {
    fn from(r: DecisionRequest) -> DecisionInput {
        DecisionInput {
            lot_id: r.lot_id,
            decision: r.decision,
            note: r.note,
        }
    }
}
