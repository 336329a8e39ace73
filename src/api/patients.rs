use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dto::{double_option, List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::ids::PatientId;
use crate::domain::patient::{NewPatient, Patient, PatientChanges, PatientFilter, PatientStatus};
use crate::domain::token::Actor;
use crate::service::create_patient::create_patient;
use crate::service::input::patient::{PatientChangesInput, PatientInput};
use crate::service::read_ledger::{get_patient, list_patients};
use crate::service::update_patient::update_patient;

/// A patient, known only by a pseudonymous reference: the hospital keeps who it is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatientDto {
    pub id: PatientId,
    pub reference: String,
    pub status: PatientStatus,
    /// Days between refills, 1–45 (insulin is stable 45 days in the pump).
    pub refill_interval_days: u8,
    pub next_refill_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl From<Patient> for PatientDto {
    fn from(p: Patient) -> PatientDto {
        PatientDto {
            id: p.id,
            reference: p.reference,
            status: p.status,
            refill_interval_days: p.refill_interval.days(),
            next_refill_on: p.next_refill_on,
            notes: p.notes,
        }
    }
}

/// No name, birth date or address: unknown fields are refused.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePatientRequest {
    /// Pseudonymous code: letters, digits, `-`, `_`, `.`; stored upper case.
    #[schema(value_type = texts::PatientReference)]
    pub reference: String,
    /// Default `active`.
    pub status: Option<PatientStatus>,
    /// Default 42.
    #[schema(minimum = 1, maximum = 45)]
    pub refill_interval_days: Option<i64>,
    #[serde(default, deserialize_with = "super::dto::date")]
    #[schema(value_type = Option<texts::PlannedDate>)]
    pub next_refill_on: Option<NaiveDate>,
    #[schema(value_type = Option<texts::PatientNotes>)]
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePatientRequest {
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::PatientReference>, nullable = false)]
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub status: Option<PatientStatus>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(minimum = 1, maximum = 45, nullable = false)]
    pub refill_interval_days: Option<i64>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "super::dto::clearable_date")]
    #[schema(value_type = Option<texts::PlannedDate>, nullable)]
    pub next_refill_on: Option<Option<NaiveDate>>,
    /// `null` clears them.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<texts::PatientNotes>, nullable)]
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatientQuery {
    pub status: Option<PatientStatus>,
    /// Active patients whose `next_refill_on` is strictly before this date.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub refill_due_before: Option<NaiveDate>,
}

/// List patients.
#[utoipa::path(get, path = "/api/v1/patients", tag = "patients", params(PatientQuery, PageParams),
    responses((status = 200, description = "Patients in id order", body = List<PatientDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<PatientQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<PatientDto>>, Problem> {
    let page = page.page_request()?;
    let filter = PatientFilter {
        status: query.status,
        refill_due_before: query.refill_due_before,
    };
    let patients = state.pool.run(move |c| list_patients(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(patients, PatientDto::from)))
}

/// Register a patient.
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = CreatePatientRequest,
    responses((status = 201, description = "Registered", body = PatientDto),
        (status = 409, description = "Reference already used, or idempotency key reused", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreatePatientRequest>,
) -> Result<HttpResponse, Problem> {
    let new = NewPatient::try_from(PatientInput::from(body.into_inner()))?;
    let forecast = state.policy.forecast;
    respond(&state, &req, actor, move |conn, actor| {
        let patient = create_patient(conn, actor, clock::now(), forecast, new)?;
        Reply::created(format!("/api/v1/patients/{}", patient.id), &PatientDto::from(patient))
    })
    .await
}

/// One patient.
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, description = "The patient", body = PatientDto)))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<PatientDto>, Problem> {
    let id = PatientId(id.into_inner());
    Ok(web::Json(state.pool.run(move |c| get_patient(c, id)).await?.into()))
}

/// Change a patient (status, refill interval, next refill date, notes, reference).
#[utoipa::path(patch, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = i64, Path, description = "Patient id")),
    request_body = UpdatePatientRequest,
    responses((status = 200, description = "The patient as changed", body = PatientDto),
        (status = 409, description = "Reference already used", body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<UpdatePatientRequest>,
) -> Result<web::Json<PatientDto>, Problem> {
    let id = PatientId(id.into_inner());
    let changes = PatientChanges::try_from(PatientChangesInput::from(body.into_inner()))?;
    let forecast = state.policy.forecast;
    Ok(web::Json(
        state
            .pool
            .run(move |c| update_patient(c, &actor, clock::now(), forecast, id, changes))
            .await?
            .into(),
    ))
}

impl From<CreatePatientRequest> for PatientInput {
    fn from(r: CreatePatientRequest) -> PatientInput {
        PatientInput {
            reference: r.reference,
            status: r.status,
            refill_interval_days: r.refill_interval_days,
            next_refill_on: r.next_refill_on,
            notes: r.notes,
        }
    }
}

impl From<UpdatePatientRequest> for PatientChangesInput {
    fn from(r: UpdatePatientRequest) -> PatientChangesInput {
        PatientChangesInput {
            reference: r.reference,
            status: r.status,
            refill_interval_days: r.refill_interval_days,
            next_refill_on: r.next_refill_on,
            notes: r.notes,
        }
    }
}
