//! Refills: who is due, and one patient's refill recorded in one action — the `refill` procedure
//! at a chosen location, each item by FEFO unless its boxes were scanned.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use super::forms::{scanned_codes, visible_code, Fields, Issues};
use super::i18n::{filters, t};
use super::{
    chrome, date_text, html, number_text, page, recorded, see_other, signed_in, writer, Chrome, Names, Taken, VERSION,
};
use crate::api::clock;
use crate::api::movements::{checked, CreateMovementRequest, MovementLineRequest};
use crate::api::problem::Problem;
use crate::api::AppState;
use crate::domain::ids::{LocationId, PatientId};
use crate::domain::ledger::{DrawLine, MovementKind, MovementRequest};
use crate::domain::patient::{Patient, PatientFilter};
use crate::domain::procedure::REFILL;
use crate::domain::role::Role;
use crate::domain::validation::FieldErrors;
use crate::service::perform_procedure::{perform_procedure, ProcedureRequest};
use crate::service::read_catalog::{list_procedures, ReadError};
use crate::service::read_ledger::{get_patient, list_patients};

/// How far ahead the list of patients due looks.
const DUE_WITHIN_DAYS: i64 = 14;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/refills", page(web::get().to(due)))
        .route("/refills/{id}", page(web::get().to(form)))
        .route("/refills/{id}", page(web::post().to(record)));
}

struct DueRow {
    id: i64,
    reference: String,
    on: String,
    late: bool,
    interval: u8,
}

#[derive(Template)]
#[template(path = "refills.html", config = "src/api/pages/askama.toml")]
struct DuePage {
    version: &'static str,
    chrome: Chrome,
    until: String,
    patients: Vec<DueRow>,
}

/// Active patients due within two weeks (or late), soonest first.
async fn due(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let Some((user, csrf)) = signed_in(&state, &req).await? else {
        return Ok(see_other("/login"));
    };
    let today = clock::today();
    let until = today + Duration::days(DUE_WITHIN_DAYS);
    let filter = PatientFilter {
        status: None,
        refill_due_before: Some(until + Duration::days(1)),
    };
    let all = crate::domain::page::PageRequest::FIRST_MAX;
    let mut found = state.pool.run(move |c| list_patients(c, &filter, all)).await?.items;
    found.sort_by_key(|p| (p.next_refill_on, p.id.0));
    let page = DuePage {
        version: VERSION,
        chrome: chrome("refills", &user, csrf),
        until: date_text(until),
        patients: found
            .into_iter()
            .filter_map(|p| {
                let on = p.next_refill_on?;
                Some(DueRow {
                    id: p.id.0,
                    reference: p.reference,
                    on: date_text(on),
                    late: on < today,
                    interval: p.refill_interval.days(),
                })
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "refill.html", config = "src/api/pages/askama.toml")]
struct RefillPage {
    version: &'static str,
    chrome: Chrome,
    patient_id: i64,
    reference: String,
    next: String,
    interval: u8,
    /// The refill bundle: item and quantity.
    bundle: Vec<(String, String)>,
    locations: Vec<(i64, String)>,
    location: i64,
    scans: String,
    may_write: bool,
    issues: Issues,
    taken: Option<Taken>,
}

/// The patient, the refill bundle and the names to show them.
async fn context(state: &AppState, id: i64) -> Result<(Patient, Vec<(String, String)>, Names), Problem> {
    let id = PatientId(id);
    Ok(state
        .pool
        .run(move |c| {
            let patient = get_patient(c, id)?;
            let names = Names::read(c)?;
            let bundle = list_procedures(c)?
                .into_iter()
                .find(|p| p.code == REFILL)
                .map(|p| p.lines)
                .unwrap_or_default()
                .into_iter()
                .map(|l| (names.item(l.item), number_text(i64::from(l.quantity.get()))))
                .collect();
            Ok::<_, ReadError>((patient, bundle, names))
        })
        .await?)
}

#[derive(Deserialize)]
struct Done {
    movement: Option<i64>,
}

struct Entered {
    location: i64,
    scans: String,
    issues: Issues,
}

async fn render(
    state: &AppState,
    (user, csrf): (crate::domain::user::User, String),
    id: i64,
    entered: Entered,
    done: Option<i64>,
) -> Result<HttpResponse, Problem> {
    let (patient, bundle, names) = context(state, id).await?;
    let locations = names.location_options();
    let location = if entered.location == 0 {
        locations.first().map_or(0, |(id, _)| *id)
    } else {
        entered.location
    };
    // Only this patient's own movement is shown back.
    let taken = recorded(state, done)
        .await?
        .filter(|(m, _)| m.patient_id == Some(patient.id))
        .map(|(m, names)| Taken::of(&m, &names));
    let page = RefillPage {
        version: VERSION,
        may_write: user.role.includes(Role::Pharmacist),
        chrome: chrome("refills", &user, csrf),
        patient_id: patient.id.0,
        reference: patient.reference,
        next: patient.next_refill_on.map_or_else(|| t("—").to_owned(), date_text),
        interval: patient.refill_interval.days(),
        bundle,
        locations,
        location,
        scans: entered.scans,
        taken,
        issues: entered.issues,
    };
    Ok(html(page.issues.status(), &page))
}

async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    done: web::Query<Done>,
) -> Result<HttpResponse, Problem> {
    let Some(signed) = signed_in(&state, &req).await? else {
        return Ok(see_other("/login"));
    };
    let entered = Entered {
        location: 0,
        scans: String::new(),
        issues: Issues::default(),
    };
    render(&state, signed, id.into_inner(), entered, done.movement).await
}

/// The scanned boxes as the lines they draw (each from its own lot), checked the way the API
/// checks a dispensation's scanned lines; field names are the API's (`lines[0].scan`).
fn scanned_lines(
    conn: &mut crate::db::DbConnection,
    now: chrono::NaiveDateTime,
    patient: PatientId,
    location: LocationId,
    codes: &[String],
) -> Result<Vec<DrawLine>, Problem> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let request = CreateMovementRequest {
        kind: MovementKind::Dispense,
        occurred_at: None,
        location_id: Some(location.0),
        to_location_id: None,
        patient_id: Some(patient.0),
        reason: None,
        reference: None,
        note: None,
        lines: codes
            .iter()
            .map(|code| MovementLineRequest {
                scan: Some(code.clone()),
                ..MovementLineRequest::default()
            })
            .collect(),
    };
    let read = request.read_scans(now.date())?;
    match checked(conn, now, request, read)?.request {
        MovementRequest::Dispense { lines, .. } => Ok(lines),
        _ => Ok(Vec::new()),
    }
}

async fn record(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, Problem> {
    let fields = Fields(fields.into_inner());
    let signed = match writer(&state, &req, fields.csrf_token(), Role::Pharmacist).await? {
        Ok(signed) => signed,
        Err(refused) => return Ok(refused),
    };
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    let location = fields.required_number("location_id", &mut errors).unwrap_or(0);
    let codes = scanned_codes(fields.text("scans"));
    let entered = |issues| Entered {
        location,
        scans: codes.iter().map(|c| visible_code(c)).collect::<Vec<_>>().join("\n"),
        issues,
    };
    if let Err(problem) = errors.finish(|| Some(())) {
        return render(&state, signed, id, entered(Issues::from_problem(problem.into())), None).await;
    }
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let now = clock::now();
    let policy = state.policy;
    let patient = PatientId(id);
    let location_id = LocationId(location);
    let scans = codes.clone();
    let outcome = state
        .pool
        .run(move |c| {
            let scanned = scanned_lines(c, now, patient, location_id, &scans)?;
            let request = ProcedureRequest {
                patient,
                procedure: REFILL.to_owned(),
                location: location_id,
                occurred_at: now,
                overrides: Vec::new(),
                scanned,
            };
            Ok::<_, Problem>(perform_procedure(c, &actor, now, policy, request))
        })
        .await;
    match outcome.and_then(|done| done.map_err(Problem::from)) {
        Ok(movement) => Ok(see_other(&format!("/refills/{id}?movement={}", movement.id))),
        Err(problem) => render(&state, signed, id, entered(Issues::from_problem(problem)), None).await,
    }
}
