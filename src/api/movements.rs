use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{utc, List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::movement_schema::MovementRequestSchema;
use super::problem::Problem;
use super::AppState;
use crate::clock;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{Movement, MovementFilter, MovementKind};
use crate::domain::role::Role;
use crate::domain::token::Actor;
use crate::service::input::movement::{parse_movement, MovementInput, MovementLineInput};
use crate::service::read_ledger::{get_movement, list_movements};
use crate::service::record_movement::record_movement;
use crate::service::reverse_movement::reverse_movement;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActorDto {
    /// The name of the token that recorded it.
    pub name: String,
    pub role: Role,
}

/// One signed change of one lot at one location.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementLineDto {
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub location_id: LocationId,
    /// Units added (positive) or taken (negative).
    pub delta: i64,
    /// On a count: the quantity found on the shelf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted_quantity: Option<i64>,
    /// The serialised pack the line moved, when it was scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementDto {
    pub id: MovementId,
    pub kind: MovementKind,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    pub actor: ActorDto,
    pub location_id: Option<LocationId>,
    pub to_location_id: Option<LocationId>,
    pub patient_id: Option<PatientId>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub reverses_movement_id: Option<MovementId>,
    pub reversed_by_movement_id: Option<MovementId>,
    /// The procedure a dispense recorded (e.g. `refill`).
    pub procedure: Option<String>,
    pub lines: Vec<MovementLineDto>,
}

impl From<Movement> for MovementDto {
    fn from(m: Movement) -> MovementDto {
        MovementDto {
            id: m.id,
            kind: m.kind,
            occurred_at: utc(m.occurred_at),
            recorded_at: utc(m.recorded_at),
            actor: ActorDto {
                name: m.actor_name,
                role: m.actor_role,
            },
            location_id: m.location_id,
            to_location_id: m.to_location_id,
            patient_id: m.patient_id,
            reason: m.reason,
            reference: m.reference,
            note: m.note,
            reverses_movement_id: m.reverses_movement_id,
            reversed_by_movement_id: m.reversed_by_movement_id,
            procedure: m.procedure_code,
            lines: m
                .lines
                .into_iter()
                .map(|l| MovementLineDto {
                    item_id: l.item_id,
                    lot_id: l.lot_id,
                    lot_number: l.lot_number,
                    expires_on: l.expires_on,
                    location_id: l.location_id,
                    delta: l.delta,
                    counted_quantity: l.counted_quantity,
                    serial: l.serial,
                })
                .collect(),
        }
    }
}

/// A line of a movement request as sent; which fields a line needs depends on the movement's
/// kind (the document states it per kind: `movement_schema`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MovementLineRequest {
    /// Required unless `scan` gives it.
    pub item_id: Option<i64>,
    /// Units, 1–100000; omitted on a `count` line.
    pub quantity: Option<i64>,
    /// Required on return, waste and count; optional on dispense and transfer (FEFO when absent).
    pub lot_id: Option<i64>,
    /// Receipt only: the manufacturer's lot number.
    pub lot_number: Option<String>,
    /// Receipt only.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub expires_on: Option<NaiveDate>,
    /// Count only: what is on the shelf.
    pub counted_quantity: Option<i64>,
    /// Receipt only: serial numbers of the packs received.
    pub serials: Option<Vec<String>>,
    /// Receipt only: the purchase order line this receipt counts against.
    pub order_line_id: Option<i64>,
    /// What the scanner typed (all kinds but count): the code gives the item, lot, expiry and
    /// serial; a field also given must agree with it.
    pub scan: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMovementRequest {
    /// One of receipt, dispense, transfer, return, waste, count (reversals have their own route).
    pub kind: MovementKind,
    /// When it happened (default: now); never in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    pub location_id: Option<i64>,
    /// Transfer only: the destination.
    pub to_location_id: Option<i64>,
    /// Required on dispense; optional on return.
    pub patient_id: Option<i64>,
    /// Waste: one of expired, damaged, cold_chain_breach, recalled, other. Others: free text.
    pub reason: Option<String>,
    /// The caller's own reference (delivery note, order number…).
    pub reference: Option<String>,
    pub note: Option<String>,
    pub lines: Vec<MovementLineRequest>,
}

impl From<MovementLineRequest> for MovementLineInput {
    fn from(l: MovementLineRequest) -> MovementLineInput {
        MovementLineInput {
            item_id: l.item_id,
            quantity: l.quantity,
            lot_id: l.lot_id,
            lot_number: l.lot_number,
            expires_on: l.expires_on,
            counted_quantity: l.counted_quantity,
            serials: l.serials,
            order_line_id: l.order_line_id,
            scan: l.scan,
        }
    }
}

impl From<CreateMovementRequest> for MovementInput {
    fn from(r: CreateMovementRequest) -> MovementInput {
        MovementInput {
            kind: r.kind,
            occurred_at: r.occurred_at,
            location_id: r.location_id,
            to_location_id: r.to_location_id,
            patient_id: r.patient_id,
            reason: r.reason,
            reference: r.reference,
            note: r.note,
            lines: r.lines.into_iter().map(MovementLineInput::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MovementQuery {
    pub kind: Option<MovementKind>,
    pub item_id: Option<i64>,
    pub lot_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub location_id: Option<i64>,
    /// First day (inclusive) of `occurred_at`.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive) of `occurred_at`.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub to: Option<NaiveDate>,
}

/// Record a movement: receipt, dispense, transfer, return, waste or count.
#[utoipa::path(post, path = "/api/v1/movements", tag = "stock", request_body = MovementRequestSchema,
    responses((status = 201, description = "Recorded, with one signed line per lot and location", body = MovementDto),
        (status = 409, description = "insufficient-stock, lot-expired, lot-quarantined, lot-recalled, lot-expiry-mismatch, duplicate-serial, return-exceeds-dispensed, idempotency-key-reused; nothing was written", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateMovementRequest>,
) -> Result<HttpResponse, Problem> {
    let now = clock::now();
    let request = MovementInput::from(body.into_inner());
    let codes = request.read_scans(now.date())?;
    let policy = state.policy;
    respond(&state, &req, actor, move |conn, actor| {
        let new = parse_movement(conn, now, request, codes)?;
        let movement = record_movement(conn, actor, now, policy, new)?;
        Reply::created(
            format!("/api/v1/movements/{}", movement.id),
            &MovementDto::from(movement),
        )
    })
    .await
}

/// List movements (the ledger), oldest first.
#[utoipa::path(get, path = "/api/v1/movements", tag = "stock", params(MovementQuery, PageParams),
    responses((status = 200, description = "Movements in id order", body = List<MovementDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<MovementQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<MovementDto>>, Problem> {
    let page = page.page_request()?;
    let q = query.into_inner();
    let filter = MovementFilter {
        kind: q.kind,
        item: q.item_id.map(ItemId),
        lot: q.lot_id.map(LotId),
        patient: q.patient_id.map(PatientId),
        location: q.location_id.map(LocationId),
        from: q.from,
        to: q.to,
    };
    let movements = state.pool.run(move |c| list_movements(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(movements, MovementDto::from)))
}

/// One movement.
#[utoipa::path(get, path = "/api/v1/movements/{id}", tag = "stock", params(("id" = i64, Path, description = "Movement id")),
    responses((status = 200, description = "The movement", body = MovementDto)))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<MovementDto>, Problem> {
    let id = MovementId(id.into_inner());
    Ok(web::Json(state.pool.run(move |c| get_movement(c, id)).await?.into()))
}

/// Reverse a movement: a new `reversal` movement with the opposite deltas.
#[utoipa::path(post, path = "/api/v1/movements/{id}/reverse", tag = "stock",
    params(("id" = i64, Path, description = "Movement id")),
    responses((status = 201, description = "The reversal", body = MovementDto),
        (status = 409, description = "already-reversed, not-reversible, insufficient-stock (the stock to take back is gone)", body = Problem, content_type = "application/problem+json")))]
pub async fn reverse(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = MovementId(id.into_inner());
    let forecast = state.policy.forecast;
    respond(&state, &req, actor, move |conn, actor| {
        let reversal = reverse_movement(conn, actor, clock::now(), forecast, id)?;
        Reply::created(
            format!("/api/v1/movements/{}", reversal.id),
            &MovementDto::from(reversal),
        )
    })
    .await
}
