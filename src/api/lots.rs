use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{utc, List, PageParams};
use super::extract::Json;
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{Lot, LotStatus, MovementKind, SerialPlace, SerialRecord, REASON_MAX};
use crate::domain::text;
use crate::domain::token::Actor;
use crate::domain::validation::FieldErrors;
use crate::repo::lots::LotFilter;
use crate::service::change_lot_status::change_lot_status;
use crate::service::read_ledger::{get_lot, list_lots, lot_serials, serial_history};

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
    /// One lot only (`GET /api/v1/lots/{id}`): where each serialised pack is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_places: Option<Vec<SerialPlaceDto>>,
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
            serial_places: None,
            status: l.status,
            status_reason: l.status_reason,
        }
    }
}

/// Where a serialised pack is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SerialPlaceDto {
    pub serial: String,
    /// `in_stock` (at `location_id`), `dispensed` (to `patient_id`) or `wasted`.
    pub state: String,
    pub location_id: Option<LocationId>,
    /// Who has it, or had it last.
    pub patient_id: Option<PatientId>,
}

impl From<&SerialRecord> for SerialPlaceDto {
    fn from(r: &SerialRecord) -> SerialPlaceDto {
        let (location_id, patient_id) = match r.place {
            SerialPlace::InStock(location) => (Some(location), None),
            SerialPlace::Dispensed(patient) => (None, patient),
            SerialPlace::Wasted => (None, None),
        };
        SerialPlaceDto {
            serial: r.serial.clone(),
            state: r.place.state().to_owned(),
            location_id,
            patient_id,
        }
    }
}

/// A serialised pack: where it is, and every movement of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SerialDto {
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub lot_number: String,
    #[serde(flatten)]
    pub place: SerialPlaceDto,
    pub history: Vec<SerialEventDto>,
}

/// A ledger line that moved the pack.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SerialEventDto {
    pub movement_id: MovementId,
    pub kind: MovementKind,
    pub occurred_at: DateTime<Utc>,
    pub location_id: LocationId,
    pub delta: i64,
    pub patient_id: Option<PatientId>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SerialsDto {
    /// One per item whose pack bears this serial (a serial is unique per item).
    pub data: Vec<SerialDto>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SerialPath {
    /// The serial number (GS1 AI 21).
    #[param(max_length = 64)]
    pub serial: String,
}

/// A serial's history: which lot, where it is now, every movement of it (dispensed at most once
/// while it is out).
#[utoipa::path(get, path = "/api/v1/serials/{serial}", tag = "stock", params(SerialPath),
    responses((status = 200, description = "The packs with this serial", body = SerialsDto),
        (status = 404, description = "No pack with this serial was received", body = Problem, content_type = "application/problem+json")))]
pub async fn serial(state: web::Data<AppState>, path: web::Path<SerialPath>) -> Result<web::Json<SerialsDto>, Problem> {
    let serial = path.into_inner().serial;
    let found = state.pool.run(move |c| serial_history(c, &serial)).await?;
    let data = found
        .into_iter()
        .map(|(record, history)| SerialDto {
            item_id: record.item_id,
            lot_id: record.lot_id,
            lot_number: record.lot_number.clone(),
            place: SerialPlaceDto::from(&record),
            history: history
                .into_iter()
                .map(|e| SerialEventDto {
                    movement_id: e.movement_id,
                    kind: e.kind,
                    occurred_at: utc(e.occurred_at),
                    location_id: e.location_id,
                    delta: e.delta,
                    patient_id: e.patient_id,
                })
                .collect(),
        })
        .collect();
    Ok(web::Json(SerialsDto { data }))
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
    let (lot, serials) = state
        .pool
        .run(move |c| Ok::<_, crate::service::read_catalog::ReadError>((get_lot(c, id)?, lot_serials(c, id)?)))
        .await?;
    Ok(web::Json(LotDto {
        serial_places: Some(serials.iter().map(SerialPlaceDto::from).collect()),
        ..lot.into()
    }))
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
