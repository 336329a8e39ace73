//! Patients: the pseudonymous list, one patient's usage over a period (CSV for the patient file),
//! and the refill interval, status and next refill date changed as the API changes them.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{Fields, Issues};
use super::i18n::{filters, t};
use super::problem::PageProblem;
use super::{chrome, date_text, html, number_text, see_other, Chrome, VERSION};
use crate::clock;
use crate::domain::catalog::Named;
use crate::domain::ids::{ItemId, PatientId};
use crate::domain::page::read_all;
use crate::domain::patient::{PatientChanges, PatientStatus};
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::input::patient::PatientChangesInput;
use crate::service::read_ledger::list_patients;
use crate::service::refusal::Refusal;
use crate::service::report_usage::patient_usage;
use crate::service::update_patient::update_patient;
use crate::state::AppState;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/patients", READ, patients),
        route(M::GET, "/patients/{id}", READ, patient),
        route(M::POST, "/patients/{id}", PHARMACIST, change),
        route(M::GET, "/patients/{id}/usage.csv", READ, patient_csv),
    ]
}

fn patient_status_fr(status: crate::domain::patient::PatientStatus) -> &'static str {
    use crate::domain::patient::PatientStatus as S;
    match status {
        S::Active => t("actif"),
        S::Inactive => t("inactif"),
        S::Transitioned => t("passé à un autre traitement"),
    }
}

struct PatientRow {
    id: i64,
    reference: String,
    status: &'static str,
    interval: u8,
    next: String,
}

#[derive(Template)]
#[template(path = "patients.html", config = "src/web/askama.toml")]
struct PatientsPage {
    version: &'static str,
    chrome: Chrome,
    patients: Vec<PatientRow>,
}

/// The pseudonymous list: references, status, refill interval and next refill.
async fn patients(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageProblem> {
    let (user, csrf) = signed(&req)?;
    let found = state
        .pool
        .run(move |c| read_all(|page| list_patients(c, &Default::default(), page)))
        .await?;
    let page = PatientsPage {
        version: VERSION,
        chrome: chrome("patients", &user, csrf),
        patients: found
            .into_iter()
            .map(|p| PatientRow {
                id: p.id.0,
                reference: p.reference,
                status: patient_status_fr(p.status),
                interval: p.refill_interval.days(),
                next: p.next_refill_on.map_or_else(|| t("—").to_owned(), date_text),
            })
            .collect(),
    };
    Ok(html(actix_web::http::StatusCode::OK, &page))
}

struct UsageLine {
    on: String,
    kind: &'static str,
    item: String,
    lot: String,
    quantity: String,
    serial: String,
}

#[derive(Template)]
#[template(path = "patient.html", config = "src/web/askama.toml")]
struct PatientPage {
    version: &'static str,
    chrome: Chrome,
    id: i64,
    reference: String,
    status: &'static str,
    status_code: &'static str,
    statuses: Vec<(&'static str, &'static str)>,
    interval: u8,
    next: String,
    next_iso: String,
    from: String,
    to: String,
    lines: Vec<UsageLine>,
    may_write: bool,
    saved: bool,
    issues: Issues,
}

#[derive(Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    saved: Option<u8>,
}

/// The period asked for, or the last three months; a date that does not parse is the default.
fn period(query: &PeriodQuery, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let parse = |text: &Option<String>| text.as_deref().and_then(crate::domain::time::parse_date);
    let to = parse(&query.to).unwrap_or(today);
    let from = parse(&query.from).unwrap_or(to - chrono::Duration::days(91));
    (from, to)
}

/// A patient's usage entries, with the name of each item they name.
struct Usage {
    patient: crate::domain::patient::Patient,
    entries: Vec<crate::domain::usage::UsageEntry>,
    names: Vec<(ItemId, String)>,
}

impl Usage {
    fn item(&self, item: ItemId) -> String {
        self.names
            .iter()
            .find(|(id, _)| *id == item)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
}

async fn usage_of(state: &AppState, id: i64, from: NaiveDate, to: NaiveDate) -> Result<Usage, PageProblem> {
    let id = PatientId(id);
    Ok(state
        .pool
        .run(move |c| {
            let (patient, entries) = patient_usage(c, id, Some(from), Some(to))?;
            let mut names = Vec::new();
            for entry in &entries {
                if !names.iter().any(|(item, _)| *item == entry.item_id) {
                    let name = crate::service::read_catalog::get_item(c, entry.item_id)?.name;
                    names.push((entry.item_id, name));
                }
            }
            Ok::<_, crate::service::read_catalog::ReadError>(Usage {
                patient,
                entries,
                names,
            })
        })
        .await?)
}

fn kind_fr(kind: crate::domain::ledger::MovementKind) -> &'static str {
    match kind {
        crate::domain::ledger::MovementKind::Return => t("retour"),
        _ => t("délivrance"),
    }
}

async fn render(
    state: &AppState,
    (user, csrf): (User, String),
    id: i64,
    query: &PeriodQuery,
    issues: Issues,
) -> Result<HttpResponse, PageProblem> {
    let (from, to) = period(query, clock::today());
    let usage = usage_of(state, id, from, to).await?;
    let found = &usage.patient;
    let page = PatientPage {
        version: VERSION,
        may_write: user.role.includes(Role::Pharmacist),
        chrome: chrome("patients", &user, csrf),
        id: found.id.0,
        reference: found.reference.clone(),
        status: patient_status_fr(found.status),
        status_code: found.status.as_str(),
        statuses: PatientStatus::ALL
            .iter()
            .map(|s| (s.as_str(), patient_status_fr(*s)))
            .collect(),
        interval: found.refill_interval.days(),
        next: found.next_refill_on.map_or_else(|| t("—").to_owned(), date_text),
        next_iso: found.next_refill_on.map(|d| d.to_string()).unwrap_or_default(),
        from: from.to_string(),
        to: to.to_string(),
        lines: usage
            .entries
            .iter()
            .map(|e| UsageLine {
                on: date_text(super::i18n::local(e.occurred_at).date()),
                kind: kind_fr(e.kind),
                item: usage.item(e.item_id),
                lot: e.lot_number.clone(),
                quantity: number_text(e.quantity),
                serial: e.serial.clone().unwrap_or_default(),
            })
            .collect(),
        saved: query.saved.is_some(),
        issues,
    };
    Ok(html(page.issues.status(), &page))
}

/// One patient's dispensations and returns over a period.
async fn patient(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    render(&state, signed, id.into_inner(), &query, Issues::default()).await
}

/// The refill interval, status and next refill date, as `PATCH /api/v1/patients/{id}` takes them.
fn changes_of(fields: &Fields) -> Result<PatientChanges, Refusal> {
    let mut errors = FieldErrors::default();
    let interval = fields.number("refill_interval_days", &mut errors);
    let status = match fields.text("status") {
        "" => None,
        text => {
            let parsed = PatientStatus::parse(text);
            if parsed.is_none() {
                errors.push(FieldError::new("status", PatientStatus::expected()));
            }
            parsed
        }
    };
    let next = fields.date("next_refill_on", &mut errors).map(Some);
    let request = errors.finish(|| {
        Some(PatientChangesInput {
            reference: None,
            status,
            refill_interval_days: interval,
            next_refill_on: next,
            notes: None,
        })
    })?;
    Ok(PatientChanges::try_from(request)?)
}

async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    let signed = signed(&req)?;
    let id = id.into_inner();
    let no_period = PeriodQuery {
        from: None,
        to: None,
        saved: None,
    };
    let changes = match changes_of(&fields) {
        Ok(changes) => changes,
        Err(problem) => return render(&state, signed, id, &no_period, Issues::from_refusal(problem)).await,
    };
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let forecast = state.policy.forecast;
    let now = clock::now();
    let updated = state
        .pool
        .run(move |c| Ok::<_, Refusal>(update_patient(c, &actor, now, forecast, PatientId(id), changes)?))
        .await;
    match updated {
        Ok(_) => Ok(see_other(&format!("/patients/{id}?saved=1"))),
        Err(problem) => render(&state, signed, id, &no_period, Issues::from_refusal(problem)).await,
    }
}

/// One patient's usage over the period as CSV, for the patient file.
async fn patient_csv(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, PageProblem> {
    let (from, to) = period(&query, clock::today());
    let usage = usage_of(&state, id.into_inner(), from, to).await?;
    let rows = usage.entries.iter().map(|e| {
        vec![
            super::i18n::local(e.occurred_at).date().to_string(),
            e.kind.as_str().to_owned(),
            usage.item(e.item_id),
            e.lot_number.clone(),
            e.quantity.to_string(),
            e.serial.clone().unwrap_or_default(),
        ]
    });
    let header = ["date", "kind", "item", "lot_number", "quantity", "serial"];
    let filename = format!("usage-{}-{from}-{to}.csv", usage.patient.reference);
    Ok(super::csv_response(&filename, &header, rows))
}
