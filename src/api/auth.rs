//! Bearer-token authentication and role enforcement for every `/api/v1` route.

use std::future::{ready, Ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::problem::{Problem, ProblemKind};
use super::AppState;
use crate::domain::role::{Access, Area};
use crate::domain::token::Actor;
use crate::service::authenticate::authenticate;

const MAX_TOKEN_LENGTH: usize = 256;

/// Which part of the API a path belongs to, for the role rules.
pub fn area_of(path: &str) -> Area {
    let admin = ["/api/v1/tokens", "/api/v1/audit"];
    if admin
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
    {
        Area::Administration
    } else {
        Area::Pharmacy
    }
}

pub fn access_of(method: &Method) -> Access {
    if method == Method::GET || method == Method::HEAD {
        Access::Read
    } else {
        Access::Write
    }
}

fn presented_token(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    let plausible = !token.is_empty() && token.len() <= MAX_TOKEN_LENGTH && token.chars().all(|c| c.is_ascii_graphic());
    (scheme.eq_ignore_ascii_case("bearer") && plausible).then(|| token.to_owned())
}

/// Middleware: authenticates the bearer token, checks the role against the route, and leaves
/// the `Actor` in the request for handlers.
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
    let actor = state.pool.run(move |conn| authenticate(conn, &token)).await?;
    if !actor.role.permits(access_of(req.method()), area_of(req.path())) {
        return Err(Problem::new(
            ProblemKind::Forbidden,
            format!("a {} token may not {} {}", role_name(&actor), req.method(), req.path()),
        ));
    }
    Ok(actor)
}

fn role_name(actor: &Actor) -> &'static str {
    use crate::domain::catalog::Named;
    actor.role.as_str()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_area_is_tokens_and_audit_only() {
        assert_eq!(area_of("/api/v1/tokens"), Area::Administration);
        assert_eq!(area_of("/api/v1/tokens/3"), Area::Administration);
        assert_eq!(area_of("/api/v1/audit"), Area::Administration);
        assert_eq!(area_of("/api/v1/tokensmith"), Area::Pharmacy);
        assert_eq!(area_of("/api/v1/items"), Area::Pharmacy);
    }
}
