use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::ids::TokenId;
use crate::domain::role::Role;
use crate::domain::text;
use crate::domain::token::{Actor, TokenInfo, NAME_MAX};
use crate::domain::validation::FieldErrors;
use crate::service::issue_token::issue_token;
use crate::service::read_catalog::list_tokens;
use crate::service::revoke_token::revoke_token;

/// An API token, without its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenDto {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenInfo> for TokenDto {
    fn from(t: TokenInfo) -> TokenDto {
        TokenDto {
            id: t.id,
            name: t.name,
            role: t.role,
            created_at: t.created_at.and_utc(),
            revoked_at: t.revoked_at.map(|at| at.and_utc()),
        }
    }
}

/// A new token with its secret: the only time the secret is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedTokenDto {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// The bearer secret. Store it now: it cannot be shown again (a replay of this request
    /// through its Idempotency-Key does not show it either).
    pub token: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// Who or what uses the token, e.g. "HIS integration" or "night technician".
    #[schema(value_type = texts::TokenName)]
    pub name: String,
    pub role: Role,
}

/// List tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(PageParams),
    responses((status = 200, description = "Tokens in id order", body = List<TokenDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<TokenDto>>, Problem> {
    let page = page.page_request()?;
    let tokens = state.pool.run(move |c| list_tokens(c, page)).await?;
    Ok(web::Json(List::from_page(tokens, TokenDto::from)))
}

/// Issue a token; the response carries its secret, shown this once only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateTokenRequest,
    responses((status = 201, description = "Issued", body = IssuedTokenDto)))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateTokenRequest>,
) -> Result<HttpResponse, Problem> {
    let request = body.into_inner();
    let name = text::required_text("name", &request.name, NAME_MAX).map_err(|e| FieldErrors(vec![e]))?;
    let role = request.role;
    respond(&state, &req, actor, move |conn, actor| {
        let issued = issue_token(conn, actor, clock::now(), &name, role)?;
        let mut dto = IssuedTokenDto {
            id: issued.info.id,
            name: issued.info.name,
            role: issued.info.role,
            created_at: issued.info.created_at.and_utc(),
            token: issued.secret.expose().to_owned(),
        };
        let location = format!("/api/v1/tokens/{}", dto.id);
        let reply = Reply::created(location.clone(), &dto)?;
        // Secrets exist only as hashes: a replay says the token was issued but cannot show it.
        dto.token = REDACTED.to_owned();
        Ok(reply.storing(Reply::created(location, &dto)?))
    })
    .await
}

const REDACTED: &str = "(shown once, when first issued)";

/// Revoke a token: every request with it answers 401 from now on.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = i64, Path, description = "Token id")),
    responses((status = 200, description = "The revoked token", body = TokenDto),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "token-protected: a token cannot revoke itself, nor the last admin token", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<i64>,
) -> Result<web::Json<TokenDto>, Problem> {
    let id = TokenId(id.into_inner());
    let token = state
        .pool
        .run(move |c| revoke_token(c, &actor, clock::now(), id))
        .await?;
    Ok(web::Json(token.into()))
}
