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
        let timeout = req
            .app_data::<BodyLimits>()
            .map_or(std::time::Duration::from_secs(30), |limits| limits.timeout);
        let body = Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            if !content_type_ok {
                return Err(Problem::new(
                    ProblemKind::UnsupportedMediaType,
                    "send the body as Content-Type: application/json",
                ));
            }
            let bytes = tokio::time::timeout(timeout, body)
                .await
                .map_err(|_| {
                    Problem::new(
                        ProblemKind::RequestTimeout,
                        format!("the request body did not arrive within {} s", timeout.as_secs()),
                    )
                })?
                .map_err(|e| payload_problem(&e))?;
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
    let json = match serde_path_to_error::deserialize::<_, Document>(&mut deserializer) {
        Ok(document) => {
            deserializer
                .end()
                .map_err(|e| Problem::malformed(format!("the body is not valid JSON: {e}")))?;
            document.0
        }
        Err(error) if error.inner().is_data() => return Err(shape_problem(&error)),
        // Well-formed JSON, but deeper than any body of this API: invalid, not malformed.
        Err(error) if error.inner().to_string().starts_with("recursion limit exceeded") => {
            return Err(Problem::invalid(FieldErrors::single("body", "is nested too deeply")))
        }
        Err(error) => {
            return Err(Problem::malformed(format!(
                "the body is not valid JSON: {}",
                error.inner()
            )))
        }
    };
    let value: Result<T, _> = serde_path_to_error::deserialize(json);
    value.map_err(|error| {
        let inner = error.inner();
        match inner.classify() {
            serde_json::error::Category::Data => shape_problem(&error),
            _ => Problem::malformed(format!("the body is not valid JSON: {}", inner)),
        }
    })
}

/// A body of the wrong shape: 422 naming the field.
fn shape_problem(error: &serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let inner = error.inner();
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

/// A JSON document read as a `serde_json::Value`, refusing an object that names a key twice
/// (serde_json alone would keep the last).
struct Document(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Document {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor).map(Document)
    }
}

struct DocumentVisitor;

impl<'de> serde::de::Visitor<'de> for DocumentVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // JSON does not tell `16` from `16.0`: a number with no fraction is the integer it is.
        Ok(if v.fract() == 0.0 && v.abs() < 9.0e15 {
            (v as i64).into()
        } else {
            v.into()
        })
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        <Document as serde::Deserialize>::deserialize(d).map(|d| d.0)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Document(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if fields.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
            }
            let Document(value) = map.next_value()?;
            fields.insert(key, value);
        }
        Ok(fields.into())
    }
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

/// How much of a body the service reads, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    /// A client that has not sent its whole body by then gets 408 (a slow body holds a worker).
    pub timeout: std::time::Duration,
}

pub fn configure_extractors(cfg: &mut web::ServiceConfig, body: BodyLimits) {
    cfg.app_data(web::PayloadConfig::new(body.max_bytes))
        .app_data(body)
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

    #[test]
    fn integral_numbers_fill_integer_fields() {
        let body = parse::<Body>(br#"{"name":"x","lines":[{"quantity":16.0},{"quantity":2}]}"#).unwrap();
        assert_eq!(body.lines[0].quantity, 16);
        let p = parse::<Body>(br#"{"name":"x","lines":[{"quantity":1.5}]}"#).unwrap_err();
        assert_eq!((p.status, p.errors[0].field.as_str()), (422, "lines[0].quantity"));
    }
}
