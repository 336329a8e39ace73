//! Unauthenticated operations endpoints: health, readiness, metrics, the API document and its
//! browsable page.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::problem::{Problem, ProblemKind};
use super::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database answers; 503 when it does not.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Health>, Problem> {
    let pool = state.pool.clone();
    let ready = actix_web::rt::task::spawn_blocking(move || pool.is_ready(Duration::from_secs(2)))
        .await
        .unwrap_or(false);
    if ready {
        Ok(web::Json(Health { status: "ready" }))
    } else {
        Err(Problem::new(ProblemKind::Unavailable, "the database does not answer"))
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}

/// This OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}

/// The browsable API documentation (Swagger UI, served from the binary, no internet needed).
#[utoipa::path(get, path = "/docs", tag = "operations",
    responses((status = 308, description = "Redirect to /docs/")))]
pub async fn docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Files of the documentation page.
#[utoipa::path(get, path = "/docs/{file}", tag = "operations",
    params(("file" = String, Path, max_length = 100, example = "index.html", description = "A file of the page, e.g. index.html")),
    responses((status = 200, description = "HTML, JavaScript or CSS of the page", body = String, content_type = "text/html"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json")))]
pub async fn docs_file(file: web::Path<String>) -> Result<HttpResponse, Problem> {
    let config = Arc::new(utoipa_swagger_ui::Config::from("/openapi.json"));
    match utoipa_swagger_ui::serve(&file, config) {
        Ok(Some(found)) => {
            let mut response = HttpResponse::Ok();
            if found.gzpipped {
                response.insert_header((header::CONTENT_ENCODING, "gzip"));
            }
            Ok(response.content_type(found.content_type).body(found.bytes.to_vec()))
        }
        Ok(None) => Err(Problem::not_found(format!("no file {file} in the documentation page"))),
        Err(error) => Err(Problem::internal(&error)),
    }
}
