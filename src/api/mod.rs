//! The HTTP edge: thin handlers, request and response types, the route table, auth, errors,
//! observability and the OpenAPI document.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod dto;
mod errors;
pub mod extract;
pub mod idempotency;
pub mod items;
pub mod locations;
pub mod lots;
pub mod movements;
pub mod observe;
pub mod openapi;
pub mod ops;
pub mod patients;
pub mod problem;
pub mod procedures;
pub mod stock;
pub mod tokens;
pub mod usage;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::from_fn;
use actix_web::{web, App, Handler, HttpRequest, HttpResponse, Responder, Route};

use crate::db::DbPool;
use crate::domain::time::BackdatePolicy;
use observe::Metrics;
use problem::{Problem, ProblemKind};

pub const API_PREFIX: &str = "/api/v1";

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub metrics: Metrics,
    /// The OpenAPI document, serialised once.
    pub openapi_json: String,
    /// Wakes this instance's email worker after a write, so alert emails leave at once.
    pub mailer_wake: std::sync::Arc<tokio::sync::Notify>,
    /// How many queued emails the worker was last woken for.
    emails_seen: std::sync::atomic::AtomicU64,
    /// `ledger.max_backdate_days`.
    pub backdate: BackdatePolicy,
}

impl AppState {
    pub fn new(pool: DbPool, backdate: BackdatePolicy) -> AppState {
        let openapi_json = serde_json::to_string(&openapi::document()).unwrap_or_default();
        AppState {
            pool,
            metrics: Metrics::new(),
            openapi_json,
            mailer_wake: Default::default(),
            emails_seen: Default::default(),
            backdate,
        }
    }
}

impl AppState {
    /// Whether emails were queued since the last call.
    pub fn take_queued_emails(&self) -> bool {
        let queued = crate::repo::notifications::queued_so_far();
        self.emails_seen.swap(queued, std::sync::atomic::Ordering::Relaxed) != queued
    }
}

/// One route the service answers: the single list both the router and the tests read.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    pub route: Route,
}

fn route<F, Args>(method: Method, path: &'static str, handler: F) -> ApiRoute
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    ApiRoute {
        route: web::method(method.clone()).to(handler),
        method,
        path,
    }
}

/// Every route, with its full path.
pub fn routes() -> Vec<ApiRoute> {
    use Method as M;
    vec![
        route(M::GET, "/healthz", ops::healthz),
        route(M::GET, "/readyz", ops::readyz),
        route(M::GET, "/metrics", ops::metrics),
        route(M::GET, "/openapi.json", ops::openapi_json),
        route(M::GET, "/docs", ops::docs),
        route(M::GET, "/docs/{file:.*}", ops::docs_file),
        route(M::GET, "/api/v1/items", items::list),
        route(M::POST, "/api/v1/items", items::create),
        route(M::GET, "/api/v1/items/{id}", items::get),
        route(M::PATCH, "/api/v1/items/{id}", items::update),
        route(M::GET, "/api/v1/locations", locations::list),
        route(M::POST, "/api/v1/locations", locations::create),
        route(M::GET, "/api/v1/locations/{id}", locations::get),
        route(M::PATCH, "/api/v1/locations/{id}", locations::update),
        route(M::GET, "/api/v1/tokens", tokens::list),
        route(M::POST, "/api/v1/tokens", tokens::create),
        route(M::DELETE, "/api/v1/tokens/{id}", tokens::revoke),
        route(M::GET, "/api/v1/patients", patients::list),
        route(M::POST, "/api/v1/patients", patients::create),
        route(M::GET, "/api/v1/patients/{id}", patients::get),
        route(M::PATCH, "/api/v1/patients/{id}", patients::update),
        route(M::GET, "/api/v1/lots", lots::list),
        route(M::GET, "/api/v1/lots/{id}", lots::get),
        route(M::PATCH, "/api/v1/lots/{id}", lots::update),
        route(M::GET, "/api/v1/stock", stock::get),
        route(M::GET, "/api/v1/movements", movements::list),
        route(M::POST, "/api/v1/movements", movements::create),
        route(M::GET, "/api/v1/movements/{id}", movements::get),
        route(M::POST, "/api/v1/movements/{id}/reverse", movements::reverse),
        route(M::GET, "/api/v1/audit", audit::list),
        route(M::GET, "/api/v1/patients/{id}/usage", usage::patient),
        route(M::GET, "/api/v1/reports/usage", usage::report),
        route(M::GET, "/api/v1/lots/{id}/recipients", usage::recipients),
        route(M::GET, "/api/v1/procedures", procedures::list),
        route(M::PUT, "/api/v1/procedures/{code}", procedures::put),
        route(M::POST, "/api/v1/patients/{id}/procedures", procedures::perform),
        route(M::GET, "/api/v1/thresholds", alerts::list_thresholds_route),
        route(M::PUT, "/api/v1/thresholds", alerts::put_threshold),
        route(M::DELETE, "/api/v1/thresholds/{id}", alerts::delete_threshold),
        route(M::GET, "/api/v1/alerts", alerts::list),
        route(M::GET, "/api/v1/alerts/{id}", alerts::get),
        route(M::POST, "/api/v1/alerts/{id}/acknowledge", alerts::acknowledge),
        route(M::GET, "/api/v1/notifications", alerts::notifications),
        route(M::GET, "/api/v1/reorder-suggestions", alerts::reorder_suggestions),
    ]
}

/// Groups the routes by path into resources (a path answers 405 for methods it lacks) and puts
/// every `/api/v1` resource behind the token check.
fn configure_routes(cfg: &mut web::ServiceConfig) {
    let mut open: Vec<(&'static str, Vec<ApiRoute>)> = Vec::new();
    let mut protected: Vec<(&'static str, Vec<ApiRoute>)> = Vec::new();
    for r in routes() {
        let group = if r.path.starts_with(API_PREFIX) {
            &mut protected
        } else {
            &mut open
        };
        match group.iter_mut().find(|(path, _)| *path == r.path) {
            Some((_, routes)) => routes.push(r),
            None => group.push((r.path, vec![r])),
        }
    }
    for (path, routes) in open {
        cfg.service(resource(path, routes));
    }
    let mut api = web::scope(API_PREFIX)
        .wrap(from_fn(auth::require_token))
        .default_service(web::to(not_found));
    for (path, routes) in protected {
        api = api.service(resource(&path[API_PREFIX.len()..], routes));
    }
    cfg.service(api);
}

fn resource(path: &str, routes: Vec<ApiRoute>) -> actix_web::Resource {
    let allowed: Vec<String> = routes.iter().map(|r| r.method.to_string()).collect();
    let allow = allowed.join(", ");
    let mut resource = web::resource(path);
    for r in routes {
        resource = resource.route(r.route);
    }
    resource.default_service(web::to(move || {
        let allow = allow.clone();
        async move {
            let problem = Problem::new(ProblemKind::MethodNotAllowed, format!("this resource answers {allow}"));
            let mut response = actix_web::ResponseError::error_response(&problem);
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        }
    }))
}

async fn not_found(req: HttpRequest) -> Problem {
    Problem::not_found(format!("no route {} {}", req.method(), req.path()))
}

impl Responder for Problem {
    type Body = actix_web::body::BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

/// The whole application for one worker.
pub fn app(
    state: web::Data<AppState>,
    max_body_bytes: usize,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .configure(|cfg| extract::configure_extractors(cfg, max_body_bytes))
        .configure(configure_routes)
        .default_service(web::to(not_found))
        .wrap(from_fn(observe::observe))
}
