//! Refills: who is due, and one patient's refill recorded in one action — the `refill` procedure
//! at a chosen location, each item by FEFO unless its boxes were scanned.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{scanned_codes, visible_code, Fields, Issues};
use super::i18n::{filters, t};
use super::problem::PageProblem;
use super::{chrome, date_text, html, number_text, recorded, see_other, Chrome, Names, Taken, VERSION};
use crate::clock;
use crate::domain::ids::PatientId;
use crate::domain::page::read_all;
use crate::domain::patient::{refills_due_before, REFILLS_AHEAD_DAYS};
use crate::domain::patient::{Patient, PatientFilter};
use crate::domain::procedure::REFILL;
use crate::domain::role::Role;
use crate::domain::validation::FieldErrors;
use crate::service::input::procedure::{parse_procedure, ProcedureInput, ProcedureLineInput};
use crate::service::perform_procedure::perform_procedure;
use crate::service::read_catalog::{list_procedures, ReadError};
use crate::service::read_ledger::{get_patient, list_patients};
use crate::service::refusal::Refusal;
use crate::state::AppState;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/refills", READ, due),
        route(M::GET, "/refills/{id}", READ, form),
        route(M::POST, "/refills/{id}", PHARMACIST, record),
    ]
}

struct DueRow {
    id: i64,
    reference: String,
    on: String,
    late: bool,
    interval: u8,
}

#[derive(Template)]
#[template(path = "refills.html", config = "src/web/askama.toml")]
struct DuePage {
    version: &'static str,
    chrome: Chrome,
    until: String,
    patients: Vec<DueRow>,
}

/// Active patients due within two weeks (or late), soonest first.
async fn due(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageProblem> {
    let (user, csrf) = signed(&req)?;
    let today = clock::today();
    let until = today + Duration::days(REFILLS_AHEAD_DAYS);
    let filter = PatientFilter {
        status: None,
        refill_due_before: Some(refills_due_before(today, REFILLS_AHEAD_DAYS)),
    };
    let mut found = state
        .pool
        .run(move |c| read_all(|page| list_patients(c, &filter, page)))
        .await?;
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
#[template(path = "refill.html", config = "src/web/askama.toml")]
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
async fn context(state: &AppState, id: i64) -> Result<(Patient, Vec<(String, String)>, Names), PageProblem> {
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
) -> Result<HttpResponse, PageProblem> {
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
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    let entered = Entered {
        location: 0,
        scans: String::new(),
        issues: Issues::default(),
    };
    render(&state, signed, id.into_inner(), entered, done.movement).await
}

async fn record(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    let signed = signed(&req)?;
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
        return render(&state, signed, id, entered(Issues::from_refusal(problem.into())), None).await;
    }
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let now = clock::now();
    let policy = state.policy;
    let patient = PatientId(id);
    let input = ProcedureInput {
        procedure: REFILL.to_owned(),
        location_id: location,
        occurred_at: None,
        lines: codes
            .iter()
            .map(|code| ProcedureLineInput {
                scan: Some(code.clone()),
                ..ProcedureLineInput::default()
            })
            .collect(),
    };
    let read = match input.read_scans(now.date()) {
        Ok(read) => read,
        Err(invalid) => return render(&state, signed, id, entered(Issues::from_refusal(invalid.into())), None).await,
    };
    let outcome = state
        .pool
        .run(move |c| {
            let request = parse_procedure(c, now, patient, input, read)?;
            Ok::<_, Refusal>(perform_procedure(c, &actor, now, policy, request))
        })
        .await;
    match outcome.and_then(|done| done.map_err(Refusal::from)) {
        Ok(movement) => Ok(see_other(&format!("/refills/{id}?movement={}", movement.id))),
        Err(problem) => render(&state, signed, id, entered(Issues::from_refusal(problem)), None).await,
    }
}
