use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::dto::{search_text, List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::catalog::{self, Location, LocationChanges, LocationFilter, NewLocation};
use crate::domain::ids::LocationId;
use crate::domain::text;
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::create_location::create_location;
use crate::service::read_catalog::{get_location, list_locations};
use crate::service::update_location::update_location;

/// Where stock is kept: the central store, a ward fridge…
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LocationDto {
    pub id: LocationId,
    pub code: String,
    pub name: String,
    pub active: bool,
}

impl From<Location> for LocationDto {
    fn from(l: Location) -> LocationDto {
        LocationDto {
            id: l.id,
            code: l.code,
            name: l.name,
            active: l.active,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLocationRequest {
    /// Letters, digits, `-`, `_`, `.`; stored upper case.
    #[schema(value_type = texts::Code)]
    pub code: String,
    #[schema(value_type = texts::Name)]
    pub name: String,
    /// Default true.
    pub active: Option<bool>,
}

/// Only the fields present change; locations are never deleted (`{"active": false}`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLocationRequest {
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::Code>, nullable = false)]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::Name>, nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationQuery {
    pub active: Option<bool>,
    /// Text found in the code or the name (case-insensitive).
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl TryFrom<CreateLocationRequest> for NewLocation {
    type Error = FieldErrors;
    fn try_from(request: CreateLocationRequest) -> Result<NewLocation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = errors.check(text::code("code", &request.code, catalog::CODE_MAX));
        let name = errors.check(text::required_text("name", &request.name, catalog::NAME_MAX));
        errors.finish(|| {
            Some(NewLocation {
                code: code?,
                name: name?,
                active: request.active.unwrap_or(true),
            })
        })
    }
}

impl TryFrom<UpdateLocationRequest> for LocationChanges {
    type Error = FieldErrors;
    fn try_from(request: UpdateLocationRequest) -> Result<LocationChanges, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = request
            .code
            .map(|v| errors.check(text::code("code", &v, catalog::CODE_MAX)));
        let name = request
            .name
            .map(|v| errors.check(text::required_text("name", &v, catalog::NAME_MAX)));
        let changes = LocationChanges {
            code: code.flatten(),
            name: name.flatten(),
            active: request.active,
        };
        if changes.code.is_none() && changes.name.is_none() && changes.active.is_none() && errors.0.is_empty() {
            errors.push(FieldError::new("body", "names no field to change"));
        }
        errors.finish(|| Some(changes))
    }
}

/// List locations.
#[utoipa::path(get, path = "/api/v1/locations", tag = "catalog", params(LocationQuery, PageParams),
    responses((status = 200, description = "Locations in id order", body = List<LocationDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<LocationQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<LocationDto>>, Problem> {
    let page = page.page_request()?;
    let filter = LocationFilter {
        active: query.active,
        text: search_text(&query.q)?,
    };
    let locations = state.pool.run(move |c| list_locations(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(locations, LocationDto::from)))
}

/// Add a location.
#[utoipa::path(post, path = "/api/v1/locations", tag = "catalog", request_body = CreateLocationRequest,
    responses((status = 201, description = "Created", body = LocationDto),
        (status = 409, description = "Code already used", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateLocationRequest>,
) -> Result<HttpResponse, Problem> {
    let new = NewLocation::try_from(body.into_inner())?;
    respond(&state, &req, actor, move |conn, actor| {
        let location = create_location(conn, actor, clock::now(), new)?;
        Reply::created(
            format!("/api/v1/locations/{}", location.id),
            &LocationDto::from(location),
        )
    })
    .await
}

/// One location.
#[utoipa::path(get, path = "/api/v1/locations/{id}", tag = "catalog", params(("id" = i64, Path, description = "Location id")),
    responses((status = 200, description = "The location", body = LocationDto),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json")))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<LocationDto>, Problem> {
    let id = LocationId(id.into_inner());
    let location = state.pool.run(move |c| get_location(c, id)).await?;
    Ok(web::Json(location.into()))
}

/// Change a location (including `active: false` to deactivate it).
#[utoipa::path(patch, path = "/api/v1/locations/{id}", tag = "catalog", params(("id" = i64, Path, description = "Location id")),
    request_body = UpdateLocationRequest,
    responses((status = 200, description = "The location as changed", body = LocationDto),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Code already used", body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<UpdateLocationRequest>,
) -> Result<web::Json<LocationDto>, Problem> {
    let id = LocationId(id.into_inner());
    let changes = LocationChanges::try_from(body.into_inner())?;
    let location = state
        .pool
        .run(move |c| update_location(c, &actor, clock::now(), id, changes))
        .await?;
    Ok(web::Json(location.into()))
}
