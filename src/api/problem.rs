//! RFC 9457 problem details: the one shape of every error the service answers.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::db::StorageError;
use crate::domain::ids::{ItemId, LocationId};
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::refusal::Refusal;

pub const CONTENT_TYPE: &str = "application/problem+json";
const TYPE_BASE: &str = "https://mipstock.example/problems/";

pub use crate::service::refusal::ProblemKind;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A stable URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "https://mipstock.example/problems/validation-failed")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// Each invalid field, when the request failed validation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With `insufficient-stock`: which line fell short, and by how much.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortage: Option<Box<Shortage>>,
}

/// The stock a line asked for and what there was.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Shortage {
    pub item_id: ItemId,
    pub location_id: LocationId,
    pub requested: i64,
    pub available: i64,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: format!("{TYPE_BASE}{}", kind.slug()),
            title: kind.title().to_owned(),
            status: kind.status(),
            detail: detail.into(),
            errors: Vec::new(),
            shortage: None,
        }
    }

    pub fn invalid(errors: FieldErrors) -> Problem {
        Refusal::invalid(errors).into()
    }

    pub fn malformed(detail: impl Into<String>) -> Problem {
        Problem::new(ProblemKind::MalformedRequest, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(ProblemKind::NotFound, detail)
    }

    pub fn unauthorized() -> Problem {
        Problem::new(
            ProblemKind::Unauthorized,
            "a valid bearer token is required (Authorization: Bearer <token>)",
        )
    }

    /// Logs the cause for operators; the client only learns that something failed.
    pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
        Refusal::internal(cause).into()
    }

    pub fn kind_status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.kind_status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.kind_status());
        response.insert_header((header::CONTENT_TYPE, CONTENT_TYPE));
        match self.status {
            401 => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            503 => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(self).unwrap_or_default())
    }
}

impl From<FieldErrors> for Problem {
    fn from(errors: FieldErrors) -> Problem {
        Problem::invalid(errors)
    }
}

impl From<Refusal> for Problem {
    fn from(refusal: Refusal) -> Problem {
        Problem {
            errors: refusal.errors,
            shortage: refusal.shortage.map(|short| {
                Box::new(Shortage {
                    item_id: short.item,
                    location_id: short.location,
                    requested: short.requested,
                    available: short.available,
                })
            }),
            ..Problem::new(refusal.kind, refusal.detail)
        }
    }
}

impl From<StorageError> for Problem {
    fn from(error: StorageError) -> Problem {
        Refusal::from(error).into()
    }
}
