//! People who sign in to the web app (admin): API.md "People and the web app".

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{utc, List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::domain::token::Actor;
use crate::domain::user::{NewUser, User, UserChanges};
use crate::service::create_user::create_user;
use crate::service::input::user::{UserChangesInput, UserInput};
use crate::service::read_catalog::{get_user, list_users};
use crate::service::update_user::update_user;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserDto {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A disabled user cannot sign in.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> UserDto {
        UserDto {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            active: u.active,
            created_at: utc(u.created_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(value_type = texts::Username)]
    pub username: String,
    /// Default: the username.
    #[schema(value_type = Option<texts::DisplayName>)]
    pub display_name: Option<String>,
    pub role: Role,
    /// The first password; the user may change it.
    #[schema(value_type = texts::NewPassword)]
    pub password: String,
}

/// Only the fields present change; users are never deleted (`{"active": false}`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::DisplayName>, nullable = false)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// A new password (also lifts a lock-out after failed sign-ins).
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::NewPassword>, nullable = false)]
    pub password: Option<String>,
}

/// List users (admin).
#[utoipa::path(get, path = "/api/v1/users", tag = "tokens", params(PageParams),
    responses((status = 200, description = "Users in id order", body = List<UserDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<UserDto>>, Problem> {
    let page = page.page_request()?;
    let users = state.pool.run(move |c| list_users(c, page)).await?;
    Ok(web::Json(List::from_page(users, UserDto::from)))
}

/// Create a user who signs in to the web app (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "tokens", request_body = CreateUserRequest,
    responses((status = 201, description = "Created", body = UserDto),
        (status = 409, description = "Username already used", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, Problem> {
    let new = NewUser::try_from(UserInput::from(body.into_inner()))?;
    let _turn = state.password_checks.acquire().await.ok();
    respond(&state, &req, actor, move |conn, actor| {
        let user = create_user(conn, actor, clock::now(), new)?;
        Reply::created(format!("/api/v1/users/{}", user.id), &UserDto::from(user))
    })
    .await
}

/// One user (admin).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "tokens", params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "The user", body = UserDto),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<UserDto>, Problem> {
    let id = UserId(id.into_inner());
    Ok(web::Json(state.pool.run(move |c| get_user(c, id)).await?.into()))
}

/// Change a user (admin): display name, role, active, password.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "tokens", params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses((status = 200, description = "The user as changed", body = UserDto),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "last-admin: the last active admin can be neither demoted nor disabled", body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<UpdateUserRequest>,
) -> Result<HttpResponse, Problem> {
    let changes = UserChanges::try_from(UserChangesInput::from(body.into_inner()))?;
    let id = UserId(id.into_inner());
    let _turn = state.password_checks.acquire().await.ok();
    respond(&state, &req, actor, move |conn, actor| {
        let user = update_user(conn, actor, clock::now(), id, changes)?;
        Reply::ok(&UserDto::from(user))
    })
    .await
}

impl From<CreateUserRequest> for UserInput {
    fn from(r: CreateUserRequest) -> UserInput {
        UserInput {
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            password: r.password,
        }
    }
}

impl From<UpdateUserRequest> for UserChangesInput {
    fn from(r: UpdateUserRequest) -> UserChangesInput {
        UserChangesInput {
            display_name: r.display_name,
            role: r.role,
            active: r.active,
            password: r.password,
        }
    }
}
