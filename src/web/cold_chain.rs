//! Cold chain: a fridge that got warm is reported here, which holds its refrigerated units; each
//! held lot is then released or destroyed — the API's own checks and use-cases.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{NaiveDateTime, Utc};
use serde::Deserialize;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{Fields, Issues};
use super::i18n::{fill, filters, t};
use super::problem::PageProblem;
use super::{chrome, html, number_text, see_other, Chrome, Names, VERSION};
use crate::clock;
use crate::domain::ids::{ExcursionId, LocationId};
use crate::domain::page::read_all;
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::decide_excursion::decide_excursion;
use crate::service::input::excursion::{DecisionInput, ExcursionInput};
use crate::service::read_ledger::list_excursions;
use crate::service::record_excursion::record_excursion;
use crate::service::refusal::Refusal;
use crate::state::AppState;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/cold-chain", READ, show),
        route(M::POST, "/cold-chain/excursions", PHARMACIST, report),
        route(M::POST, "/cold-chain/{id}/decisions", PHARMACIST, decide),
    ]
}

struct HeldRow {
    lot_id: i64,
    item: String,
    lot: String,
    quantity: String,
    /// "libéré" / "détruit", with who and when, once decided.
    decided: Option<String>,
}

struct ExcursionBlock {
    id: i64,
    location: String,
    started: String,
    ended: String,
    temperatures: String,
    note: String,
    open: bool,
    held: Vec<HeldRow>,
}

#[derive(Template)]
#[template(path = "cold_chain.html", config = "src/web/askama.toml")]
struct ColdChainPage {
    version: &'static str,
    chrome: Chrome,
    locations: Vec<(i64, String)>,
    excursions: Vec<ExcursionBlock>,
    /// What was typed in the report form, kept when it is refused.
    typed: Fields,
    /// The excursion a refused decision was about.
    failed: Option<i64>,
    notice: Option<String>,
    may_write: bool,
    issues: Issues,
}

fn at_fr(at: NaiveDateTime) -> String {
    super::i18n::time_text(at)
}

fn celsius(t: f64) -> String {
    format!("{} °C", super::i18n::decimal(t))
}

struct Entered {
    typed: Fields,
    failed: Option<i64>,
    notice: Option<String>,
    issues: Issues,
}

async fn render(state: &AppState, (user, csrf): (User, String), entered: Entered) -> Result<HttpResponse, PageProblem> {
    let (found, names) = state
        .pool
        .run(move |c| Ok::<_, Refusal>((read_all(|page| list_excursions(c, None, None, page))?, Names::read(c)?)))
        .await?;
    let mut excursions: Vec<ExcursionBlock> = found
        .into_iter()
        .map(|e| ExcursionBlock {
            id: e.id.0,
            open: e.is_open(),
            location: names.location(e.location_id),
            started: at_fr(e.started_at),
            ended: e.ended_at.map_or_else(|| t("en cours").to_owned(), at_fr),
            temperatures: match e.min_temperature_c {
                Some(min) => fill("{} à {}", &[&celsius(min), &celsius(e.max_temperature_c)]),
                None => fill("jusqu'à {}", &[&celsius(e.max_temperature_c)]),
            },
            note: e.note.unwrap_or_default(),
            held: e
                .held
                .into_iter()
                .map(|h| HeldRow {
                    lot_id: h.lot_id.0,
                    item: names.item(h.item_id),
                    lot: h.lot_number,
                    quantity: number_text(h.quantity),
                    decided: h.decision.map(|d| {
                        let what = if d.outcome() == "released" {
                            t("libéré")
                        } else {
                            t("détruit")
                        };
                        let by = h.decided_by.unwrap_or_default();
                        let when = h.decided_at.map(at_fr).unwrap_or_default();
                        fill("{} par {}, {}", &[&what, &by, &when])
                    }),
                })
                .collect(),
        })
        .collect();
    // Open excursions first, newest first.
    excursions.sort_by_key(|e| (!e.open, -e.id));
    let page = ColdChainPage {
        version: VERSION,
        may_write: user.role.includes(Role::Pharmacist),
        chrome: chrome("cold-chain", &user, csrf),
        locations: names.location_options(),
        excursions,
        typed: entered.typed,
        failed: entered.failed,
        notice: entered.notice,
        issues: entered.issues,
    };
    Ok(html(page.issues.status(), &page))
}

#[derive(Deserialize)]
struct Done {
    reported: Option<i64>,
}

async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    done: web::Query<Done>,
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    let entered = Entered {
        typed: Fields(Vec::new()),
        failed: None,
        notice: done.reported.map(|id| {
            fill(
                "Excursion n° {} déclarée : les unités réfrigérées de cet emplacement sont bloquées jusqu'à votre décision.",
                &[&id],
            )
        }),
        issues: Issues::default(),
    };
    render(&state, signed, entered).await
}

/// A `datetime-local` field, on the pharmacy's clock.
fn instant(fields: &Fields, name: &str, errors: &mut FieldErrors) -> Option<chrono::DateTime<Utc>> {
    let text = fields.text(name);
    if text.is_empty() {
        return None;
    }
    match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M") {
        Ok(at) => match super::i18n::from_local(at) {
            Some(at) => Some(at),
            None => {
                errors.push(FieldError::new(
                    name,
                    "does not exist on this clock (the hour skipped in spring)",
                ));
                None
            }
        },
        Err(_) => {
            errors.push(FieldError::new(name, "must be a date and time (YYYY-MM-DDTHH:MM)"));
            None
        }
    }
}

/// A temperature in °C, with a decimal point or a French comma.
fn temperature(fields: &Fields, name: &str, errors: &mut FieldErrors) -> Option<f64> {
    let text = fields.text(name).replace(',', ".");
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(t) => Some(t),
        Err(_) => {
            errors.push(FieldError::new(name, "must be a number of °C"));
            None
        }
    }
}

async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    let signed = signed(&req)?;
    let now = clock::now();
    let mut errors = FieldErrors::default();
    let location = fields.required_number("location_id", &mut errors);
    let started_at = instant(&fields, "started_at", &mut errors);
    let ended_at = instant(&fields, "ended_at", &mut errors);
    let max = temperature(&fields, "max_temperature_c", &mut errors);
    let min = temperature(&fields, "min_temperature_c", &mut errors);
    for (name, value) in [
        ("started_at", started_at.is_some()),
        ("max_temperature_c", max.is_some()),
    ] {
        if !value && fields.text(name).is_empty() {
            errors.push(FieldError::new(name, "is required"));
        }
    }
    let parsed = errors
        .finish(|| {
            let request = ExcursionInput {
                started_at: started_at?,
                ended_at,
                max_temperature_c: max?,
                min_temperature_c: min,
                note: fields.optional("note"),
            };
            Some((LocationId(location?), request))
        })
        .and_then(|(location, request)| request.parse(location, now))
        .map_err(Refusal::from);
    let new = match parsed {
        Ok(new) => new,
        Err(problem) => return refused(&state, signed, fields, None, problem).await,
    };
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let forecast = state.policy.forecast;
    let recorded = state
        .pool
        .run(move |c| Ok::<_, Refusal>(record_excursion(c, &actor, now, forecast, new)?))
        .await;
    match recorded {
        Ok(excursion) => Ok(see_other(&format!("/cold-chain?reported={}", excursion.id))),
        Err(problem) => refused(&state, signed, fields, None, problem).await,
    }
}

async fn refused(
    state: &AppState,
    signed: (User, String),
    typed: Fields,
    failed: Option<i64>,
    problem: Refusal,
) -> Result<HttpResponse, PageProblem> {
    let entered = Entered {
        typed,
        failed,
        notice: None,
        issues: Issues::from_refusal(problem),
    };
    render(state, signed, entered).await
}

async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    let signed = signed(&req)?;
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    let lot = fields.number("lot_id", &mut errors);
    let request = errors
        .finish(|| {
            Some(DecisionInput {
                lot_id: lot?,
                decision: fields.text("decision").to_owned(),
                note: fields.optional("note"),
            })
        })
        .and_then(DecisionInput::parse)
        .map_err(Refusal::from);
    let request = match request {
        Ok(request) => request,
        Err(problem) => return refused(&state, signed, Fields(Vec::new()), Some(id), problem).await,
    };
    let now = clock::now();
    let policy = state.policy;
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let decided = state
        .pool
        .run(move |c| Ok::<_, Refusal>(decide_excursion(c, &actor, now, policy, ExcursionId(id), request)?))
        .await;
    match decided {
        Ok(_) => Ok(see_other("/cold-chain")),
        Err(problem) => refused(&state, signed, Fields(Vec::new()), Some(id), problem).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_temperatures_are_read_the_way_a_french_form_types_them() {
        let fields = Fields(vec![
            ("started_at".into(), "2026-11-25T22:15".into()),
            ("ended_at".into(), "hier soir".into()),
            ("max_temperature_c".into(), "11,5".into()),
        ]);
        let mut errors = FieldErrors::default();
        // Outside a page: the default clock, Paris (UTC+1 in November).
        let started = instant(&fields, "started_at", &mut errors).unwrap();
        assert_eq!(started.to_rfc3339(), "2026-11-25T21:15:00+00:00");
        assert_eq!(instant(&fields, "ended_at", &mut errors), None);
        assert_eq!(temperature(&fields, "max_temperature_c", &mut errors), Some(11.5));
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "ended_at");
        // The hour the clock skips in spring is no time at all.
        let skipped = Fields(vec![("started_at".into(), "2027-03-28T02:30".into())]);
        assert_eq!(instant(&skipped, "started_at", &mut errors), None);
        assert_eq!(errors.0.len(), 2);
        assert_eq!(celsius(11.5), "11,5 °C");
    }
}
