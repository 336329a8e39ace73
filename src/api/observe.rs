//! Request ids, one log line per request, Prometheus metrics, and the guarantee that every
//! error leaves as problem+json.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};
use rand::RngCore;
use tracing::Instrument;

use super::problem::{self, Problem, ProblemKind};
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's own request id is kept when it is short and plain, so logs can be joined
/// across systems; otherwise the service makes one.
fn request_id(req: &ServiceRequest) -> String {
    let incoming = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok());
    match incoming {
        Some(id)
            if (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) =>
        {
            id.to_owned()
        }
        _ => {
            let mut bytes = [0u8; 8];
            rand::rng().fill_bytes(&mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

/// The method as a metric label: the standard ones by name, anything invented as `other`, so a
/// client cannot grow the metrics without bound.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}

pub async fn observe(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = method_label(req.method());
    // HEAD is answered as GET without its body (load balancers probe with HEAD).
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let is_write = !matches!(*req.method(), Method::GET | Method::HEAD);
    let span = tracing::info_span!("request", request_id = %id);

    // No clone of the request may be held across the call: routing needs it unshared.
    let outcome = next.call(req).instrument(span.clone()).await;
    let mut response = match outcome {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            // Inner layers answer errors as responses; this is only actix's own failures.
            span.in_scope(|| tracing::warn!(method = %method, error = %error, "request failed before a response"));
            return Err(error);
        }
    };
    if response.status().is_client_error() || response.status().is_server_error() {
        response = ensure_problem(response);
    }
    if head {
        response = response.map_body(|_, _| BoxBody::new(()));
    }

    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .filter(|_| method != "other")
        .unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state.metrics.observe(method, &route, status, elapsed.as_secs_f64());
        if is_write && (response.status().is_success() || response.status() == StatusCode::SEE_OTHER) {
            // The write (a JSON 2xx, a web form's redirect) may have queued alert emails in its
            // transaction: send them now.
            state.outbox_wake.notify_one();
        }
    }
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route = %route,
            status,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// Errors produced outside our handlers (the router, actix's own extractors) are rewritten as
/// problem documents, so clients only ever parse one error shape; the web app's own pages
/// (HTML, a sign-in refused) stay pages.
fn ensure_problem(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(problem::CONTENT_TYPE) || v.starts_with("text/html"));
    if is_problem {
        return response;
    }
    let status = response.status();
    let kind = ProblemKind::for_status(status.as_u16());
    let mut problem = Problem::new(kind, status.canonical_reason().unwrap_or("error").to_owned());
    problem.status = status.as_u16();
    let replacement: HttpResponse = problem.error_response();
    response.into_response(replacement.map_into_boxed_body())
}
