use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dto::List;
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::movements::MovementDto;
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::ids::{ItemId, PatientId};
use crate::domain::procedure::{self, BundleLine, Procedure};
use crate::domain::quantity::Quantity;
use crate::domain::text;
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::define_procedure::define_procedure;
use crate::service::input::procedure::{parse_procedure, ProcedureInput, ProcedureLineInput};
use crate::service::perform_procedure::perform_procedure;
use crate::service::read_catalog::list_procedures;

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureLineDto {
    pub item_id: i64,
    #[schema(minimum = 1, maximum = 100000)]
    pub quantity: i64,
}

/// A named bundle of consumables, e.g. what one refill uses.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureDto {
    pub code: String,
    pub name: String,
    pub lines: Vec<ProcedureLineDto>,
}

impl From<Procedure> for ProcedureDto {
    fn from(p: Procedure) -> ProcedureDto {
        ProcedureDto {
            code: p.code,
            name: p.name,
            lines: p
                .lines
                .iter()
                .map(|l| ProcedureLineDto {
                    item_id: l.item.0,
                    quantity: l.quantity.as_i64(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutProcedureRequest {
    #[schema(value_type = texts::ProcedureName)]
    pub name: String,
    #[schema(min_items = 1, max_items = 20)]
    pub lines: Vec<ProcedureLineDto>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PerformProcedureRequest {
    /// The procedure's code, e.g. `refill`.
    #[schema(value_type = texts::ProcedureCode)]
    pub procedure: String,
    /// Where the consumables are taken from (FEFO per line).
    pub location_id: i64,
    /// When it happened (default: now); never in the future.
    #[schema(value_type = Option<texts::OccurredAt>)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<super::movement_schema::ProcedureLinesSchema>)]
    pub lines: Option<Vec<PerformLineRequest>>,
}

/// One line of a procedure performed: an item and its quantity, or what the scanner typed
/// (its schema: `movement_schema::ProcedureLinesSchema`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerformLineRequest {
    pub item_id: Option<i64>,
    pub quantity: Option<i64>,
    pub scan: Option<String>,
}

impl From<PerformProcedureRequest> for ProcedureInput {
    fn from(r: PerformProcedureRequest) -> ProcedureInput {
        ProcedureInput {
            procedure: r.procedure,
            location_id: r.location_id,
            occurred_at: r.occurred_at,
            lines: r
                .lines
                .unwrap_or_default()
                .into_iter()
                .map(|l| ProcedureLineInput {
                    item_id: l.item_id,
                    quantity: l.quantity,
                    scan: l.scan,
                })
                .collect(),
        }
    }
}

fn bundle_lines(lines: &[ProcedureLineDto], errors: &mut FieldErrors) -> Option<Vec<BundleLine>> {
    if lines.len() > procedure::LINES_MAX {
        errors.push(FieldError::new(
            "lines",
            format!("at most {} lines", procedure::LINES_MAX),
        ));
        return None;
    }
    let mut parsed: Vec<BundleLine> = Vec::new();
    let mut ok = true;
    for (i, line) in lines.iter().enumerate() {
        match Quantity::parse(&format!("lines[{i}].quantity"), line.quantity) {
            Ok(quantity) if parsed.iter().any(|l| l.item.0 == line.item_id) => {
                let _ = quantity;
                errors.push(FieldError::new(format!("lines[{i}].item_id"), "is listed twice"));
                ok = false;
            }
            Ok(quantity) => parsed.push(BundleLine {
                item: ItemId(line.item_id),
                quantity,
            }),
            Err(e) => {
                errors.push(e);
                ok = false;
            }
        }
    }
    ok.then_some(parsed)
}

/// List procedures.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "patients",
    responses((status = 200, description = "Procedures by code", body = List<ProcedureDto>)))]
pub async fn list(state: web::Data<AppState>) -> Result<web::Json<List<ProcedureDto>>, Problem> {
    let procedures = state.pool.run(list_procedures).await?;
    Ok(web::Json(List {
        data: procedures.into_iter().map(ProcedureDto::from).collect(),
        next_cursor: None,
    }))
}

/// Create or replace a procedure.
#[utoipa::path(put, path = "/api/v1/procedures/{code}", tag = "patients",
    params(("code" = texts::ProcedureCode, Path, description = "a-z, 0-9 and _, e.g. refill")),
    request_body = PutProcedureRequest,
    responses((status = 200, description = "Replaced", body = ProcedureDto),
        (status = 201, description = "Created", body = ProcedureDto)))]
pub async fn put(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: Json<PutProcedureRequest>,
) -> Result<HttpResponse, Problem> {
    let request = body.into_inner();
    let mut errors = FieldErrors::default();
    let code = errors.check(procedure::parse_code("code", &code));
    let name = errors.check(text::required_text("name", &request.name, procedure::NAME_MAX));
    if request.lines.is_empty() {
        errors.push(FieldError::new("lines", "must hold at least one line"));
    }
    let lines = bundle_lines(&request.lines, &mut errors);
    let procedure = errors.finish(|| {
        Some(Procedure {
            code: code?,
            name: name?,
            lines: lines?,
        })
    })?;
    let forecast = state.policy.forecast;
    let (procedure, created) = state
        .pool
        .run(move |c| define_procedure(c, &actor, clock::now(), forecast, procedure))
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(ProcedureDto::from(procedure)))
}

/// Record a procedure for a patient: one dispense of its whole bundle, all or nothing. A
/// `refill` also sets the patient's `next_refill_on` to the refill date + their interval.
#[utoipa::path(post, path = "/api/v1/patients/{id}/procedures", tag = "patients",
    params(("id" = i64, Path, description = "Patient id")),
    request_body = PerformProcedureRequest,
    responses((status = 201, description = "The dispense movement", body = MovementDto),
        (status = 409, description = "insufficient-stock (for any line: nothing is written)", body = Problem, content_type = "application/problem+json")))]
pub async fn perform(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<PerformProcedureRequest>,
) -> Result<HttpResponse, Problem> {
    let now = clock::now();
    let input = ProcedureInput::from(body.into_inner());
    let codes = input.read_scans(now.date())?;
    let patient = PatientId(id.into_inner());
    let policy = state.policy;
    respond(&state, &req, actor, move |conn, actor| {
        let request = parse_procedure(conn, now, patient, input, codes)?;
        let movement = perform_procedure(conn, actor, now, policy, request)?;
        Reply::created(
            format!("/api/v1/movements/{}", movement.id),
            &MovementDto::from(movement),
        )
    })
    .await
}
