//! Request extractors whose every failure is a problem document: JSON bodies with field paths in
//! their errors, query strings and path ids.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::problem::{Problem, ProblemKind};
use crate::domain::validation::FieldErrors;

/// A JSON body. Wrong content type → 415, too large → 413, not JSON → 400, JSON of the wrong
/// shape (missing or unknown field, wrong type, unknown enum value) → 422 naming the field.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Problem>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json(req);
        let body = Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            if !content_type_ok {
                return Err(Problem::new(
                    ProblemKind::UnsupportedMediaType,
                    "send the body as Content-Type: application/json",
                ));
            }
            let bytes = body.await.map_err(|e| payload_problem(&e))?;
            let value = parse(&bytes)?;
            super::idempotency::remember_body(&req, &bytes);
            Ok(Json(value))
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn payload_problem(error: &actix_web::Error) -> Problem {
    if error.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            ProblemKind::PayloadTooLarge,
            "the request body is larger than this service accepts",
        )
    } else {
        Problem::malformed(format!("the request body could not be read: {error}"))
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // Every body is an object; serde would otherwise read a struct from an array, by position.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Problem::invalid(FieldErrors::single("body", "must be a JSON object")));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    if value.is_ok() {
        deserializer
            .end()
            .map_err(|e| Problem::malformed(format!("the body is not valid JSON: {e}")))?;
    }
    value.map_err(|error| {
        let inner = error.inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let mut field = error.path().to_string();
                let message = match message.strip_prefix("missing field `").and_then(|m| m.split_once('`')) {
                    Some((name, _)) => {
                        field = if field == "." {
                            name.to_owned()
                        } else {
                            format!("{field}.{name}")
                        };
                        "is required".to_owned()
                    }
                    None => message,
                };
                let field = if field == "." { "body".to_owned() } else { field };
                Problem::invalid(FieldErrors::single(field, message))
            }
            _ => Problem::malformed(format!("the body is not valid JSON: {}", inner)),
        }
    })
}

/// serde_json appends "at line L column C"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Query strings that do not parse are malformed requests (400).
pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &error {
        QueryPayloadError::Deserialize(e) => format!("invalid query string: {e}"),
        other => format!("invalid query string: {other}"),
    };
    Problem::malformed(detail).into()
}

/// A path segment that is not a valid id names nothing: 404.
pub fn path_error(error: PathError, req: &HttpRequest) -> actix_web::Error {
    tracing::debug!(error = %error, "unparsable path");
    Problem::not_found(format!("nothing at {}", req.path())).into()
}

pub fn configure_extractors(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(web::PayloadConfig::new(max_body_bytes))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        lines: Vec<Line>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        quantity: u32,
    }

    #[test]
    fn shape_errors_name_the_field() {
        let p = parse::<Body>(br#"{"name":"x","lines":[{"quantity":-1}]}"#).unwrap_err();
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "lines[0].quantity");
        let p = parse::<Body>(br#"{"lines":[]}"#).unwrap_err();
        assert_eq!(
            (p.errors[0].field.as_str(), p.errors[0].message.as_str()),
            ("name", "is required")
        );
        let p = parse::<Body>(br#"{"name":"x","lines":[],"extra":1}"#).unwrap_err();
        assert_eq!(p.status, 422);
        let p = parse::<Body>(br#"{"name":"x","name":"y","lines":[]}"#).unwrap_err();
        assert_eq!(p.status, 422);
    }

    #[test]
    fn syntax_errors_are_malformed() {
        assert_eq!(parse::<Body>(br#"{"name":"#).unwrap_err().status, 400);
        assert_eq!(
            parse::<Body>(br#"{"name":"x","lines":[]} trailing"#)
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(parse::<Body>(b"\xff\xfe").unwrap_err().status, 400);
    }
}
