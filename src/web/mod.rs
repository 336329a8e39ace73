//! The pharmacists' web app: server-rendered pages (askama templates, checked at compile time),
//! in French, over the same use-cases as the API. People sign in with a username and password;
//! the session is an HttpOnly, SameSite=Strict cookie, and every write carries the session's
//! anti-forgery token.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::clock;
use crate::db::StorageError;
use crate::domain::alert::{AlertKind, AlertState};
use crate::domain::catalog::Named;
use crate::domain::ids::AlertId;
use crate::domain::page::read_all;
use crate::domain::role::Role;
use crate::domain::stock::StockStatus;
use crate::domain::user::{Password, User};
use crate::service::acknowledge_alert::{acknowledge_alert, AcknowledgeAlertError};
use crate::service::report_usage::recall as find_recall;
use crate::service::show_today::alerts_named;
use crate::service::show_today::{show_today, Today};
use crate::service::sign_in::{self, SignInError};
use crate::state::AppState;
use access::consts::*;
use access::{route, signed, PageRoute};
use i18n::{date_text, fill, filters, number_text, t};
use problem::PageProblem;

pub mod access;
mod account;
mod cold_chain;
mod forecast;
mod forms;
mod i18n;
mod patients;
mod problem;
mod receive;
mod refills;
mod said;
mod settings;
mod stock;

const SESSION_COOKIE: &str = "mipstock_session";
/// Before a session exists, the sign-in form's anti-forgery token is checked against this cookie.
const LOGIN_COOKIE: &str = "mipstock_login";
const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn configure(cfg: &mut web::ServiceConfig) {
    for page in pages() {
        cfg.route(page.path, page.route);
    }
}

/// Every page, with who may use it: the one list the router and the access test read.
pub fn pages() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    let mut all = vec![
        route(M::GET, "/", READ, today),
        route(M::GET, "/alerts", READ, alerts),
        route(M::POST, "/alerts/{id}/acknowledge", PHARMACIST, acknowledge),
        route(M::GET, "/recall", READ, recall),
        route(M::GET, "/recall.csv", READ, recall_csv),
        route(M::GET, "/login", ANYONE, login_page),
        route(M::POST, "/login", ANYONE, login),
        route(M::POST, "/logout", SIGNED_IN_WRITE, logout),
        route(M::GET, "/static/app.js", ANYONE, script),
        route(M::GET, "/lang/{code}", ANYONE, i18n::choose),
    ];
    all.extend(refills::routes());
    all.extend(receive::routes());
    all.extend(stock::routes());
    all.extend(forecast::routes());
    all.extend(cold_chain::routes());
    all.extend(settings::routes());
    all.extend(patients::routes());
    all.extend(account::routes());
    all
}

/// A page's route: it runs in the page's language, and a problem its handler answers (a patient
/// that does not exist, the database away) is shown as a page, not as the API's JSON.
fn as_page(route: actix_web::Route) -> actix_web::Route {
    route.wrap(actix_web::middleware::from_fn(problem_as_page))
}

async fn problem_as_page(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<actix_web::body::BoxBody>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let lang = i18n::Lang::of(req.request());
    let (zone, secure) = req
        .app_data::<web::Data<AppState>>()
        .map_or((chrono_tz::Europe::Paris, false), |s| (s.zone, s.secure_cookies));
    let mut response = i18n::scope(lang, zone, render_problem(next.call(req))).await?;
    harden(response.headers_mut(), secure);
    Ok(response)
}

/// What every page answers with: no framing, no sniffing, scripts and forms of this site only,
/// no address of a page sent elsewhere; behind HTTPS, cookies only over HTTPS.
fn harden(headers: &mut header::HeaderMap, secure: bool) {
    const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                       connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, header::HeaderValue::from_static(value));
    }
    if secure {
        let cookies: Vec<header::HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .filter_map(|v| v.to_str().ok())
            .map(|v| {
                if v.contains("; Secure") {
                    v.to_owned()
                } else {
                    format!("{v}; Secure")
                }
            })
            .filter_map(|v| header::HeaderValue::from_str(&v).ok())
            .collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
}

/// The page's response, or its problem as a page (in the page's language).
async fn render_problem(
    response: impl std::future::Future<
        Output = Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error>,
    >,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let response = response.await?;
    let Some(problem) = response.response().error().and_then(|e| e.as_error::<PageProblem>()) else {
        return Ok(response);
    };
    let status = response.status();
    let page = ProblemPage {
        version: VERSION,
        title: t(problem.title),
        detail: t(problem.detail),
    };
    Ok(response.into_response(html(status, &page)))
}

#[derive(Template)]
#[template(
    source = "{% extends \"base.html\" %}{% block title %}{{ title }}{% endblock %}{% block content %}<section><h1>{{ title }}</h1><p>{{ detail }}</p><p><a href=\"/\">{{ \"Retour à l'accueil\"|t }}</a></p></section>{% endblock %}",
    ext = "html",
    config = "src/web/askama.toml"
)]
struct ProblemPage {
    version: &'static str,
    title: &'static str,
    detail: &'static str,
}

/// The pages' one script, vendored in the binary (no CDN: hospital networks have no internet).
async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "max-age=3600"))
        .body(include_str!("static/app.js"))
}

/// Every item and location by id, for the names on a page.
struct Names {
    items: Vec<crate::domain::catalog::Item>,
    locations: Vec<crate::domain::catalog::Location>,
}

impl Names {
    fn read(conn: &mut crate::db::DbConnection) -> Result<Names, crate::service::read_catalog::ReadError> {
        use crate::service::read_catalog::{list_items, list_locations};
        Ok(Names {
            items: read_all(|page| list_items(conn, &Default::default(), page))?,
            locations: read_all(|page| list_locations(conn, &Default::default(), page))?,
        })
    }

    fn item(&self, id: crate::domain::ids::ItemId) -> String {
        self.items
            .iter()
            .find(|i| i.id == id)
            .map_or_else(|| format!("article {id}"), |i| i.name.clone())
    }

    fn location(&self, id: crate::domain::ids::LocationId) -> String {
        self.locations
            .iter()
            .find(|l| l.id == id)
            .map_or_else(|| format!("emplacement {id}"), |l| l.name.clone())
    }

    /// The active items as a select's options (id, name).
    fn item_options(&self) -> Vec<(i64, String)> {
        self.items
            .iter()
            .filter(|i| i.active)
            .map(|i| (i.id.0, i.name.clone()))
            .collect()
    }

    /// The active locations as a select's options (id, name).
    fn location_options(&self) -> Vec<(i64, String)> {
        self.locations
            .iter()
            .filter(|l| l.active)
            .map(|l| (l.id.0, l.name.clone()))
            .collect()
    }
}

/// A recorded movement as a page shows it: what moved, from or into which lot.
struct Taken {
    id: i64,
    lines: Vec<TakenLine>,
}

struct TakenLine {
    item: String,
    lot: String,
    expires: String,
    location: String,
    quantity: String,
    serial: String,
}

impl Taken {
    fn of(movement: &crate::domain::ledger::Movement, names: &Names) -> Taken {
        Taken {
            id: movement.id.0,
            lines: movement
                .lines
                .iter()
                .map(|l| TakenLine {
                    item: names.item(l.item_id),
                    lot: l.lot_number.clone(),
                    expires: date_text(l.expires_on),
                    location: names.location(l.location_id),
                    quantity: number_text(l.delta),
                    serial: l.serial.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// The movement a page was redirected to after a write, with the names to show it.
async fn recorded(
    state: &AppState,
    id: Option<i64>,
) -> Result<Option<(crate::domain::ledger::Movement, Names)>, PageProblem> {
    let Some(id) = id else { return Ok(None) };
    let id = crate::domain::ids::MovementId(id);
    Ok(state
        .pool
        .run(move |c| {
            let names = Names::read(c)?;
            match crate::service::read_ledger::get_movement(c, id) {
                Ok(movement) => Ok(Some((movement, names))),
                Err(crate::service::read_catalog::ReadError::NotFound) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await?)
}

/// A stock status as the pages show it: its words and its colour's class.
fn status_label(status: StockStatus) -> (&'static str, &'static str) {
    match status {
        StockStatus::Ok => (t("OK"), "ok"),
        StockStatus::Low => (t("Bas"), "low"),
        StockStatus::Out => (t("Rupture"), "out"),
    }
}

fn role_fr(role: Role) -> &'static str {
    match role {
        Role::Admin => t("administrateur"),
        Role::Pharmacist => t("pharmacien"),
        Role::Viewer => t("lecture seule"),
    }
}

fn alert_fr(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::LowStock => t("Stock bas"),
        AlertKind::OutOfStock => t("Rupture"),
        AlertKind::Expiring => t("Lot bientôt périmé"),
        AlertKind::Expired => t("Lot périmé"),
        AlertKind::ProjectedStockout => t("Rupture prévue"),
        AlertKind::OrderOverdue => t("Commande en retard"),
        AlertKind::ColdChainExcursion => t("Chaîne du froid"),
    }
}

/// Where an alert is: its location, or every location together.
fn where_fr(location: Option<String>) -> String {
    location.unwrap_or_else(|| t("tous les emplacements").to_owned())
}

fn html(status: actix_web::http::StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// A CSV download of a page: patients' references and what they hold, so never cached.
fn csv_response(filename: &str, header_row: &[&str], rows: impl Iterator<Item = Vec<String>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(crate::domain::text::csv_table(header_row, rows))
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

/// What every signed-in page shows around its content: where we are, who is signed in, and the
/// session's anti-forgery token for the forms.
struct Chrome {
    page: &'static str,
    user: String,
    role: &'static str,
    /// Admins see the Settings link.
    admin: bool,
    csrf_token: String,
    /// This render's forms' once-token: a form posted twice records once.
    once: String,
}

fn chrome(page: &'static str, user: &User, csrf_token: String) -> Chrome {
    Chrome {
        page,
        user: user.display_name.clone(),
        role: role_fr(user.role),
        admin: user.role.includes(Role::Admin),
        csrf_token,
        once: crate::domain::user::random_token(),
    }
}

fn cookie(name: &'static str, value: String, path: &'static str) -> Cookie<'static> {
    Cookie::build(name, value)
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(path)
        .finish()
}

fn removal(name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut gone = cookie(name, String::new(), path);
    gone.make_removal();
    gone
}

/// The signed-in user and the session's anti-forgery token, if the cookie names a live session.
pub(crate) async fn signed_in(state: &AppState, req: &HttpRequest) -> Result<Option<(User, String)>, PageProblem> {
    let Some(secret) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    let now = clock::now();
    state
        .pool
        .run(move |c| sign_in::session(c, now, &secret))
        .await
        .map_err(PageProblem::from)
}

/// A write from a page must carry the session's token; whatever its Origin says, without it
/// the write is refused.
fn forged(presented: &str, expected: &str) -> bool {
    presented.is_empty()
        || presented.len() != expected.len()
        || !constant_time_eq(presented.as_bytes(), expected.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Template)]
#[template(
    source = "{% extends \"base.html\" %}{% block title %}{{ \"Requête refusée\"|t }}{% endblock %}{% block content %}<section><h1>{{ \"Requête refusée\"|t }}</h1><p>{{ message }}</p><p><a href=\"/\">{{ \"Retour\"|t }}</a></p></section>{% endblock %}",
    ext = "html",
    config = "src/web/askama.toml"
)]
struct RefusedPage {
    version: &'static str,
    message: &'static str,
}

/// A repeat of a form whose first post is still being recorded after a while.
fn still_recording() -> HttpResponse {
    let page = RefusedPage {
        version: VERSION,
        message: t("Ce formulaire est déjà en cours d'enregistrement : rechargez la page pour voir s'il l'a été."),
    };
    html(actix_web::http::StatusCode::CONFLICT, &page)
}

fn forbidden_write() -> HttpResponse {
    let page = RefusedPage {
        version: VERSION,
        message: t("Jeton anti-falsification absent ou invalide : rechargez la page et recommencez."),
    };
    html(actix_web::http::StatusCode::FORBIDDEN, &page)
}

#[derive(Template)]
#[template(path = "login.html", config = "src/web/askama.toml")]
struct LoginPage {
    version: &'static str,
    csrf_token: String,
    username: String,
    error: Option<String>,
}

fn login_form(status: actix_web::http::StatusCode, username: String, error: Option<String>) -> HttpResponse {
    let nonce = crate::domain::user::random_token();
    let page = LoginPage {
        version: VERSION,
        csrf_token: nonce.clone(),
        username,
        error,
    };
    let mut response = html(status, &page);
    let _ = response.add_cookie(&cookie(LOGIN_COOKIE, nonce, "/login"));
    response
}

async fn login_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageProblem> {
    if signed_in(&state, &req).await?.is_some() {
        return Ok(see_other("/"));
    }
    Ok(login_form(actix_web::http::StatusCode::OK, String::new(), None))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf_token: String,
}

async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageProblem> {
    let form = form.into_inner();
    let expected = req
        .cookie(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if expected.is_empty() || forged(&form.csrf_token, &expected) {
        return Ok(forbidden_write());
    }
    let now = clock::now();
    let username = form.username.clone();
    let password = Password::presented(&form.password);
    let _turn = state.password_checks.acquire().await.ok();
    let outcome = state
        .pool
        .run(move |c| Ok::<_, StorageError>(sign_in::sign_in(c, now, &username, &password)))
        .await
        .map_err(PageProblem::from)?;
    match outcome {
        Ok(signed) => {
            let mut response = see_other("/");
            let _ = response.add_cookie(&cookie(SESSION_COOKIE, signed.secret, "/"));
            let _ = response.add_cookie(&removal(LOGIN_COOKIE, "/login"));
            Ok(response)
        }
        Err(SignInError::Refused) => Ok(login_form(
            actix_web::http::StatusCode::UNAUTHORIZED,
            form.username,
            Some(t("Identifiant ou mot de passe incorrect.").into()),
        )),
        Err(SignInError::Locked(until)) => Ok(login_form(
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            form.username,
            Some(fill(
                "Trop d'essais infructueux : compte bloqué jusqu'à {}.",
                &[&i18n::hour_text(until)],
            )),
        )),
        Err(SignInError::Storage(e)) => Err(e.into()),
    }
}

async fn logout(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageProblem> {
    if let Some(secret) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        state
            .pool
            .run(move |c| sign_in::sign_out(c, &secret))
            .await
            .map_err(PageProblem::from)?;
    }
    let mut response = see_other("/login");
    let _ = response.add_cookie(&removal(SESSION_COOKIE, "/"));
    Ok(response)
}

struct ItemRow {
    name: String,
    code: String,
    available: String,
    on_hand: String,
    on_order: String,
    cover: String,
    stockout: String,
    status: &'static str,
    status_class: &'static str,
}

struct AlertRow {
    opened: String,
    kind: &'static str,
    /// The location, or all locations together.
    where_: String,
    item: String,
    quantity: String,
}

struct RefillRow {
    on: String,
    reference: String,
    interval: u8,
}

struct OrderRow {
    name: String,
    expected: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "today.html", config = "src/web/askama.toml")]
struct TodayPage {
    version: &'static str,
    chrome: Chrome,
    today: String,
    items: Vec<ItemRow>,
    alerts: Vec<AlertRow>,
    refills: Vec<RefillRow>,
    orders: Vec<OrderRow>,
}

fn today_page(user: &User, csrf_token: String, on: NaiveDate, today: Today) -> TodayPage {
    TodayPage {
        version: VERSION,
        chrome: chrome("today", user, csrf_token),
        today: date_text(on),
        items: today
            .items
            .into_iter()
            .map(|row| {
                let (status, status_class) = status_label(row.figures.status);
                ItemRow {
                    name: row.item.name,
                    code: row.item.code,
                    available: number_text(row.figures.available),
                    on_hand: number_text(row.figures.on_hand),
                    on_order: number_text(row.on_order),
                    cover: row
                        .days_of_cover
                        .map_or_else(|| t("> 90 j").to_owned(), |d| fill("{} j", &[&number_text(d)])),
                    stockout: row.stockout_on.map_or_else(|| t("—").to_owned(), date_text),
                    status,
                    status_class,
                }
            })
            .collect(),
        alerts: today
            .alerts
            .into_iter()
            .map(|named| AlertRow {
                opened: i18n::time_text(named.alert.opened_at),
                kind: alert_fr(named.alert.kind),
                where_: where_fr(named.location),
                item: named.item,
                quantity: number_text(named.alert.quantity),
            })
            .collect(),
        refills: today
            .refills
            .into_iter()
            .map(|p| RefillRow {
                on: p.next_refill_on.map_or_else(String::new, date_text),
                reference: p.reference,
                interval: p.refill_interval.days(),
            })
            .collect(),
        orders: today
            .orders
            .into_iter()
            .map(|(order, late)| OrderRow {
                name: order.reference.unwrap_or_else(|| fill("Commande n° {}", &[&order.id])),
                expected: date_text(order.expected_on),
                late,
            })
            .collect(),
    }
}

async fn today(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageProblem> {
    let (user, csrf) = signed(&req)?;
    let on = clock::today();
    let policy = state.policy.forecast;
    let found = state.pool.run(move |c| show_today(c, on, policy)).await?;
    Ok(html(
        actix_web::http::StatusCode::OK,
        &today_page(&user, csrf, i18n::local(clock::now()).date(), found),
    ))
}

fn state_fr(state: AlertState) -> &'static str {
    match state {
        AlertState::Open => t("ouverte"),
        AlertState::Acknowledged => t("vue"),
        AlertState::Resolved => t("résolue"),
    }
}

struct AlertListRow {
    id: AlertId,
    opened: String,
    kind: &'static str,
    where_: String,
    item: String,
    quantity: String,
    state: &'static str,
    can_acknowledge: bool,
}

#[derive(Template)]
#[template(path = "alerts.html", config = "src/web/askama.toml")]
struct AlertsPage {
    version: &'static str,
    chrome: Chrome,
    /// The filter as chosen ("" for open and acknowledged).
    state: String,
    notice: Option<String>,
    /// Viewers see the alerts, not the buttons.
    may_write: bool,
    alerts: Vec<AlertListRow>,
}

#[derive(Deserialize)]
struct AlertsQuery {
    #[serde(default)]
    state: String,
    done: Option<i64>,
}

async fn alerts(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AlertsQuery>,
) -> Result<HttpResponse, PageProblem> {
    let (user, csrf) = signed(&req)?;
    let query = query.into_inner();
    let chosen = AlertState::parse(&query.state);
    let states = match chosen {
        Some(one) => vec![one],
        None => vec![AlertState::Open, AlertState::Acknowledged],
    };
    let found = state.pool.run(move |c| alerts_named(c, &states)).await?;
    let page = AlertsPage {
        version: VERSION,
        chrome: chrome("alerts", &user, csrf),
        state: chosen.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        notice: query
            .done
            .map(|id| fill("Alerte n° {} marquée comme vue : plus de rappel par courriel.", &[&id])),
        may_write: user.role.includes(Role::Pharmacist),
        alerts: found
            .into_iter()
            .map(|named| AlertListRow {
                id: named.alert.id,
                opened: i18n::time_text(named.alert.opened_at),
                kind: alert_fr(named.alert.kind),
                where_: where_fr(named.location),
                item: named.item,
                quantity: number_text(named.alert.quantity),
                state: state_fr(named.alert.state),
                can_acknowledge: named.alert.state == AlertState::Open,
            })
            .collect(),
    };
    Ok(html(actix_web::http::StatusCode::OK, &page))
}

/// A viewer sees but cannot change.
fn not_allowed(role: Role) -> HttpResponse {
    let page = RefusedPage {
        version: VERSION,
        message: if role == Role::Viewer {
            t("Votre rôle (lecture seule) ne permet pas de modifier.")
        } else {
            t("Votre rôle ne permet pas cette action.")
        },
    };
    html(actix_web::http::StatusCode::FORBIDDEN, &page)
}

async fn acknowledge(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageProblem> {
    let (user, _) = signed(&req)?;
    let id = AlertId(id.into_inner());
    let actor = sign_in::actor_of(&user);
    let now = clock::now();
    let done = state
        .pool
        .run(move |c| Ok::<_, StorageError>(acknowledge_alert(c, &actor, now, id)))
        .await
        .map_err(PageProblem::from)?;
    match done {
        Ok(_) | Err(AcknowledgeAlertError::Resolved(_)) => Ok(see_other(&format!("/alerts?done={id}"))),
        Err(AcknowledgeAlertError::NotFound(_)) => Ok(see_other("/alerts")),
        Err(AcknowledgeAlertError::Storage(e)) => Err(e.into()),
    }
}

fn lot_status_fr(status: crate::domain::ledger::LotStatus) -> &'static str {
    match status {
        crate::domain::ledger::LotStatus::Available => t("disponible"),
        crate::domain::ledger::LotStatus::Quarantined => t("en quarantaine"),
        crate::domain::ledger::LotStatus::Recalled => t("rappelé"),
    }
}

struct HolderRow {
    reference: String,
    quantity: String,
    dispensations: String,
    serials: String,
}

struct RecalledLot {
    item: String,
    number: String,
    expires: String,
    status: &'static str,
    holders: Vec<HolderRow>,
}

#[derive(Template)]
#[template(path = "recall.html", config = "src/web/askama.toml")]
struct RecallPage {
    version: &'static str,
    chrome: Chrome,
    lot: String,
    lots: Vec<RecalledLot>,
}

#[derive(Deserialize)]
struct RecallQuery {
    #[serde(default)]
    lot: String,
}

type Recalled = Vec<(crate::domain::ledger::Lot, String, Vec<crate::domain::usage::Recipient>)>;

async fn recalled(state: &AppState, number: &str) -> Result<Recalled, PageProblem> {
    if number.trim().is_empty() || number.chars().count() > crate::domain::ledger::LOT_NUMBER_MAX {
        return Ok(Vec::new());
    }
    let number = number.to_owned();
    Ok(state.pool.run(move |c| find_recall(c, &number)).await?)
}

/// Who received a lot, by its number (every item's lot with that number): printable.
async fn recall(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<RecallQuery>,
) -> Result<HttpResponse, PageProblem> {
    let (user, csrf) = signed(&req)?;
    let number = query.into_inner().lot;
    let found = recalled(&state, &number).await?;
    let page = RecallPage {
        version: VERSION,
        chrome: chrome("recall", &user, csrf),
        lot: number,
        lots: found
            .into_iter()
            .map(|(lot, item, holders)| RecalledLot {
                item,
                number: lot.lot_number,
                expires: date_text(lot.expires_on),
                status: lot_status_fr(lot.status),
                holders: holders
                    .into_iter()
                    .map(|h| HolderRow {
                        reference: h.patient_reference,
                        quantity: number_text(h.quantity),
                        dispensations: h
                            .movements
                            .iter()
                            .map(|(_, at, quantity)| {
                                format!("{} : {}", date_text(i18n::local(*at).date()), number_text(*quantity))
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        serials: h.serials.join(", "),
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(html(actix_web::http::StatusCode::OK, &page))
}

/// The recall as CSV: one row per dispensation or return of the lot to a patient who holds it.
async fn recall_csv(state: web::Data<AppState>, query: web::Query<RecallQuery>) -> Result<HttpResponse, PageProblem> {
    let number = query.into_inner().lot;
    let found = recalled(&state, &number).await?;
    let mut rows = Vec::new();
    for (lot, item, holders) in found {
        for h in holders {
            for (movement, at, quantity) in &h.movements {
                rows.push(vec![
                    item.clone(),
                    lot.lot_number.clone(),
                    lot.expires_on.to_string(),
                    h.patient_reference.clone(),
                    h.quantity.to_string(),
                    movement.to_string(),
                    i18n::local(*at).date().to_string(),
                    quantity.to_string(),
                    h.serials.join(" "),
                ]);
            }
        }
    }
    let header = [
        "item",
        "lot_number",
        "expires_on",
        "patient_reference",
        "units_held",
        "movement_id",
        "date",
        "quantity",
        "serials",
    ];
    Ok(csv_response("recall.csv", &header, rows.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_needs_the_sessions_token() {
        assert!(forged("", "abc"));
        assert!(forged("abd", "abc"));
        assert!(forged("abcd", "abc"));
        assert!(!forged("abc", "abc"));
    }
}
