//! The HTTP edge: thin handlers, request and response types, the route table, auth, errors,
//! observability and the OpenAPI document.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod dto;
mod errors;
pub mod excursions;
pub mod extract;
pub mod forecast;
pub mod idempotency;
pub mod items;
pub mod locations;
pub mod lots;
pub mod movement_schema;
pub mod movements;
pub mod observe;
pub mod openapi;
pub mod ops;
pub mod patients;
pub mod problem;
pub mod procedures;
pub mod scans;
pub mod stock;
pub mod supply;
pub mod texts;
pub mod tokens;
pub mod usage;
pub mod users;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceRequest;
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, Handler, HttpRequest, HttpResponse, Responder, Route};

use crate::domain::role::Role;
pub use crate::state::AppState;
use problem::{Problem, ProblemKind};

pub const API_PREFIX: &str = "/api/v1";

/// Who may call a route: declared with the route itself, so a route cannot exist without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// No token (health, metrics, the OpenAPI document).
    Anyone,
    /// A token of this role or a larger one (admin ⊇ pharmacist ⊇ viewer).
    AtLeast(Role),
}

/// One route the service answers: the single list both the router and the tests read.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    pub who: Who,
    pub route: Route,
}

fn route<F, Args>(method: Method, path: &'static str, who: Who, handler: F) -> ApiRoute
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    let mut route = web::method(method.clone()).to(handler);
    if let Who::AtLeast(needed) = who {
        route = route.wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
            auth::require_role(needed, req, next)
        }));
    }
    ApiRoute {
        route,
        method,
        path,
        who,
    }
}

/// Every route, with its full path.
pub fn routes() -> Vec<ApiRoute> {
    use Method as M;
    const ANYONE: Who = Who::Anyone;
    const VIEWER: Who = Who::AtLeast(Role::Viewer);
    const PHARMACIST: Who = Who::AtLeast(Role::Pharmacist);
    const ADMIN: Who = Who::AtLeast(Role::Admin);
    vec![
        route(M::GET, "/healthz", ANYONE, ops::healthz),
        route(M::GET, "/readyz", ANYONE, ops::readyz),
        route(M::GET, "/metrics", ANYONE, ops::metrics),
        route(M::GET, "/openapi.json", ANYONE, ops::openapi_json),
        route(M::GET, "/docs", ANYONE, ops::docs),
        route(M::GET, "/docs/{file:.*}", ANYONE, ops::docs_file),
        route(M::GET, "/api/v1/items", VIEWER, items::list),
        route(M::POST, "/api/v1/items", PHARMACIST, items::create),
        route(M::GET, "/api/v1/items/{id}", VIEWER, items::get),
        route(M::PATCH, "/api/v1/items/{id}", PHARMACIST, items::update),
        route(M::GET, "/api/v1/locations", VIEWER, locations::list),
        route(M::POST, "/api/v1/locations", PHARMACIST, locations::create),
        route(M::GET, "/api/v1/locations/{id}", VIEWER, locations::get),
        route(M::PATCH, "/api/v1/locations/{id}", PHARMACIST, locations::update),
        route(M::GET, "/api/v1/users", ADMIN, users::list),
        route(M::POST, "/api/v1/users", ADMIN, users::create),
        route(M::GET, "/api/v1/users/{id}", ADMIN, users::get),
        route(M::PATCH, "/api/v1/users/{id}", ADMIN, users::update),
        route(M::GET, "/api/v1/tokens", ADMIN, tokens::list),
        route(M::POST, "/api/v1/tokens", ADMIN, tokens::create),
        route(M::DELETE, "/api/v1/tokens/{id}", ADMIN, tokens::revoke),
        route(M::GET, "/api/v1/patients", VIEWER, patients::list),
        route(M::POST, "/api/v1/patients", PHARMACIST, patients::create),
        route(M::GET, "/api/v1/patients/{id}", VIEWER, patients::get),
        route(M::PATCH, "/api/v1/patients/{id}", PHARMACIST, patients::update),
        route(M::GET, "/api/v1/lots", VIEWER, lots::list),
        route(M::GET, "/api/v1/lots/{id}", VIEWER, lots::get),
        route(M::GET, "/api/v1/serials/{serial}", VIEWER, lots::serial),
        route(M::PATCH, "/api/v1/lots/{id}", PHARMACIST, lots::update),
        route(M::GET, "/api/v1/stock", VIEWER, stock::get),
        route(
            M::POST,
            "/api/v1/locations/{id}/excursions",
            PHARMACIST,
            excursions::create,
        ),
        route(M::GET, "/api/v1/excursions", VIEWER, excursions::list),
        route(M::GET, "/api/v1/excursions/{id}", VIEWER, excursions::get),
        route(
            M::POST,
            "/api/v1/excursions/{id}/decisions",
            PHARMACIST,
            excursions::decide,
        ),
        route(M::POST, "/api/v1/scans/parse", PHARMACIST, scans::parse),
        route(M::GET, "/api/v1/movements", VIEWER, movements::list),
        route(M::POST, "/api/v1/movements", PHARMACIST, movements::create),
        route(M::GET, "/api/v1/movements/{id}", VIEWER, movements::get),
        route(
            M::POST,
            "/api/v1/movements/{id}/reverse",
            PHARMACIST,
            movements::reverse,
        ),
        route(M::GET, "/api/v1/audit", ADMIN, audit::list),
        route(M::GET, "/api/v1/patients/{id}/usage", VIEWER, usage::patient),
        route(M::GET, "/api/v1/reports/usage", VIEWER, usage::report),
        route(M::GET, "/api/v1/lots/{id}/recipients", VIEWER, usage::recipients),
        route(M::GET, "/api/v1/procedures", VIEWER, procedures::list),
        route(M::PUT, "/api/v1/procedures/{code}", PHARMACIST, procedures::put),
        route(
            M::POST,
            "/api/v1/patients/{id}/procedures",
            PHARMACIST,
            procedures::perform,
        ),
        route(M::GET, "/api/v1/thresholds", VIEWER, alerts::list_thresholds_route),
        route(M::PUT, "/api/v1/thresholds", PHARMACIST, alerts::put_threshold),
        route(
            M::DELETE,
            "/api/v1/thresholds/{id}",
            PHARMACIST,
            alerts::delete_threshold,
        ),
        route(M::GET, "/api/v1/alerts", VIEWER, alerts::list),
        route(M::GET, "/api/v1/alerts/{id}", VIEWER, alerts::get),
        route(
            M::POST,
            "/api/v1/alerts/{id}/acknowledge",
            PHARMACIST,
            alerts::acknowledge,
        ),
        route(M::GET, "/api/v1/notifications", VIEWER, alerts::notifications),
        route(
            M::GET,
            "/api/v1/reorder-suggestions",
            VIEWER,
            alerts::reorder_suggestions,
        ),
        route(M::GET, "/api/v1/suppliers", VIEWER, supply::list_suppliers_route),
        route(M::POST, "/api/v1/suppliers", PHARMACIST, supply::create_supplier_route),
        route(M::GET, "/api/v1/suppliers/{id}", VIEWER, supply::get_supplier_route),
        route(
            M::PATCH,
            "/api/v1/suppliers/{id}",
            PHARMACIST,
            supply::update_supplier_route,
        ),
        route(M::GET, "/api/v1/orders", VIEWER, supply::list_orders_route),
        route(M::POST, "/api/v1/orders", PHARMACIST, supply::create_order_route),
        route(
            M::POST,
            "/api/v1/orders/from-suggestions",
            PHARMACIST,
            supply::order_suggestions_route,
        ),
        route(M::GET, "/api/v1/orders/{id}", VIEWER, supply::get_order_route),
        route(
            M::POST,
            "/api/v1/orders/{id}/cancel",
            PHARMACIST,
            supply::cancel_order_route,
        ),
        route(M::GET, "/api/v1/forecast", VIEWER, forecast::get),
    ]
}

/// Groups the routes by path into resources (a path answers 405 for methods it lacks); the
/// `/api/v1` scope authenticates every request, each route checks the role it declares.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut open: Vec<(&'static str, Vec<ApiRoute>)> = Vec::new();
    let mut protected: Vec<(&'static str, Vec<ApiRoute>)> = Vec::new();
    for r in routes() {
        let group = if r.who != Who::Anyone {
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
    // Patients' references and what they hold, stock, the audit: nothing a shared cache keeps.
    let mut api = web::scope(API_PREFIX)
        .wrap(from_fn(auth::require_token))
        .wrap(actix_web::middleware::DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
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

pub async fn not_found(req: HttpRequest) -> Problem {
    Problem::not_found(format!("no route {} {}", req.method(), req.path()))
}

impl Responder for Problem {
    type Body = actix_web::body::BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's roles: reads for every token, writes for pharmacists, tokens and the
    /// audit log for admins only, and nothing under `/api/v1` without a token.
    #[test]
    fn every_route_declares_who_may_call_it_as_the_contract_says() {
        for r in routes() {
            let admin_area = ["/api/v1/tokens", "/api/v1/audit", "/api/v1/users"]
                .iter()
                .any(|p| r.path.starts_with(p));
            let expected = match (r.path.starts_with(API_PREFIX), admin_area, r.method == Method::GET) {
                (false, _, _) => Who::Anyone,
                (true, true, _) => Who::AtLeast(Role::Admin),
                (true, false, true) => Who::AtLeast(Role::Viewer),
                (true, false, false) => Who::AtLeast(Role::Pharmacist),
            };
            assert_eq!(r.who, expected, "{} {}", r.method, r.path);
        }
    }
}
