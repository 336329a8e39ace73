//! Bearer-token authentication and role enforcement for every `/api/v1` route.

use std::future::{ready, Ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::problem::{Problem, ProblemKind};
use super::AppState;
use crate::domain::catalog::Named;
use crate::domain::role::Role;
use crate::domain::token::Actor;
use crate::service::authenticate::authenticate;

const MAX_TOKEN_LENGTH: usize = 256;

fn presented_token(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    let plausible = !token.is_empty() && token.len() <= MAX_TOKEN_LENGTH && token.chars().all(|c| c.is_ascii_graphic());
    (scheme.eq_ignore_ascii_case("bearer") && plausible).then(|| token.to_owned())
}

/// Middleware of the whole `/api/v1` scope: authenticates the bearer token (401 otherwise) and
/// leaves the `Actor` in the request; each route then checks the role it declares
/// (`require_role`).
pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match check(&req).await {
        Ok(actor) => {
            req.extensions_mut().insert(actor);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Err(problem) => Ok(req.error_response(problem)),
    }
}

async fn check(req: &ServiceRequest) -> Result<Actor, Problem> {
    let token = presented_token(req).ok_or_else(Problem::unauthorized)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| Problem::internal(&"application state missing"))?;
    Ok(state.pool.run(move |conn| authenticate(conn, &token)).await?)
}

/// Route middleware: the authenticated actor must hold at least `needed` (403 otherwise).
pub async fn require_role(
    needed: Role,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let role = req.extensions().get::<Actor>().map(|actor| actor.role);
    match role {
        Some(role) if role.includes(needed) => next.call(req).await,
        Some(role) => {
            let problem = Problem::new(
                ProblemKind::Forbidden,
                format!(
                    "a {} token may not {} {}: it needs the {} role",
                    role.as_str(),
                    req.method(),
                    req.path(),
                    needed.as_str()
                ),
            );
            Ok(req.error_response(problem))
        }
        None => Ok(req.error_response(Problem::unauthorized())),
    }
}

impl FromRequest for Actor {
    type Error = Problem;
    type Future = Ready<Result<Actor, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Actor>()
                .cloned()
                .ok_or_else(Problem::unauthorized),
        )
    }
}
