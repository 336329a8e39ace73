//! RFC 9457 problem details: the one shape of every error the service answers.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::db::StorageError;
use crate::domain::ids::{ItemId, LocationId};
use crate::domain::validation::{FieldError, FieldErrors};

pub const CONTENT_TYPE: &str = "application/problem+json";
const TYPE_BASE: &str = "https://mipstock.example/problems/";

/// The kinds of problem, each with a stable `type` URI that clients can switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    MalformedRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Duplicate,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedMediaType,
    ValidationFailed,
    Internal,
    Unavailable,
    InsufficientStock,
    LotExpired,
    LotQuarantined,
    LotRecalled,
    LotExpiryMismatch,
    DuplicateSerial,
    SerialUnavailable,
    SerialRequired,
    AlreadyDecided,
    ReturnExceedsDispensed,
    AlreadyReversed,
    NotReversible,
    IdempotencyKeyReused,
    PatientNotActive,
    AlertResolved,
    TokenProtected,
    OrderClosed,
}

impl ProblemKind {
    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::MalformedRequest => "malformed-request",
            ProblemKind::Unauthorized => "unauthorized",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::RequestTimeout => "request-timeout",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::ValidationFailed => "validation-failed",
            ProblemKind::Internal => "internal-error",
            ProblemKind::Unavailable => "service-unavailable",
            ProblemKind::InsufficientStock => "insufficient-stock",
            ProblemKind::LotExpired => "lot-expired",
            ProblemKind::LotQuarantined => "lot-quarantined",
            ProblemKind::LotRecalled => "lot-recalled",
            ProblemKind::LotExpiryMismatch => "lot-expiry-mismatch",
            ProblemKind::DuplicateSerial => "duplicate-serial",
            ProblemKind::SerialUnavailable => "serial-unavailable",
            ProblemKind::SerialRequired => "serial-required",
            ProblemKind::AlreadyDecided => "already-decided",
            ProblemKind::ReturnExceedsDispensed => "return-exceeds-dispensed",
            ProblemKind::AlreadyReversed => "already-reversed",
            ProblemKind::NotReversible => "not-reversible",
            ProblemKind::IdempotencyKeyReused => "idempotency-key-reused",
            ProblemKind::PatientNotActive => "patient-not-active",
            ProblemKind::AlertResolved => "alert-resolved",
            ProblemKind::TokenProtected => "token-protected",
            ProblemKind::OrderClosed => "order-closed",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::MalformedRequest => StatusCode::BAD_REQUEST,
            ProblemKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            ProblemKind::NotFound => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::Duplicate => StatusCode::CONFLICT,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::PatientNotActive => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::InsufficientStock
            | ProblemKind::LotExpired
            | ProblemKind::LotQuarantined
            | ProblemKind::LotRecalled
            | ProblemKind::LotExpiryMismatch
            | ProblemKind::DuplicateSerial
            | ProblemKind::SerialUnavailable
            | ProblemKind::SerialRequired
            | ProblemKind::AlreadyDecided
            | ProblemKind::ReturnExceedsDispensed
            | ProblemKind::AlreadyReversed
            | ProblemKind::NotReversible
            | ProblemKind::IdempotencyKeyReused
            | ProblemKind::AlertResolved
            | ProblemKind::TokenProtected
            | ProblemKind::OrderClosed => StatusCode::CONFLICT,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::MalformedRequest => "Malformed request",
            ProblemKind::Unauthorized => "Authentication required",
            ProblemKind::Forbidden => "Not allowed for this role",
            ProblemKind::NotFound => "Not found",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::Duplicate => "Already exists",
            ProblemKind::PayloadTooLarge => "Request body too large",
            ProblemKind::RequestTimeout => "Request body too slow",
            ProblemKind::UnsupportedMediaType => "Unsupported media type",
            ProblemKind::ValidationFailed => "Invalid request",
            ProblemKind::Internal => "Internal error",
            ProblemKind::Unavailable => "Service unavailable",
            ProblemKind::InsufficientStock => "Insufficient stock",
            ProblemKind::LotExpired => "Lot expired",
            ProblemKind::LotQuarantined => "Lot quarantined",
            ProblemKind::LotRecalled => "Lot recalled",
            ProblemKind::LotExpiryMismatch => "Lot known with another expiry",
            ProblemKind::DuplicateSerial => "Serial number already received",
            ProblemKind::SerialUnavailable => "Serial number not where the movement takes it from",
            ProblemKind::SerialRequired => "Serialised packs leave by their scan",
            ProblemKind::AlreadyDecided => "Held lot already decided",
            ProblemKind::ReturnExceedsDispensed => "Return exceeds what the patient received",
            ProblemKind::AlreadyReversed => "Movement already reversed",
            ProblemKind::NotReversible => "Movement cannot be reversed",
            ProblemKind::IdempotencyKeyReused => "Idempotency key reused",
            ProblemKind::PatientNotActive => "Patient not active",
            ProblemKind::AlertResolved => "Alert already resolved",
            ProblemKind::TokenProtected => "Token cannot be revoked",
            ProblemKind::OrderClosed => "Order closed",
        }
    }

    /// The kind a bare status code stands for, for errors raised outside our handlers.
    pub fn for_status(status: StatusCode) -> ProblemKind {
        match status.as_u16() {
            401 => ProblemKind::Unauthorized,
            403 => ProblemKind::Forbidden,
            404 => ProblemKind::NotFound,
            405 => ProblemKind::MethodNotAllowed,
            409 => ProblemKind::Duplicate,
            413 => ProblemKind::PayloadTooLarge,
            415 => ProblemKind::UnsupportedMediaType,
            422 => ProblemKind::ValidationFailed,
            503 => ProblemKind::Unavailable,
            400..=499 => ProblemKind::MalformedRequest,
            _ => ProblemKind::Internal,
        }
    }
}

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
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            shortage: None,
        }
    }

    pub fn invalid(errors: FieldErrors) -> Problem {
        let detail = match errors.0.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Problem {
            errors: errors.0,
            ..Problem::new(ProblemKind::ValidationFailed, detail)
        }
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
        tracing::error!(error = %cause, "internal error");
        Problem::new(
            ProblemKind::Internal,
            "the request could not be completed; it has been logged",
        )
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

impl From<StorageError> for Problem {
    fn from(error: StorageError) -> Problem {
        match error {
            StorageError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Problem::new(ProblemKind::Unavailable, "the database is unavailable; retry shortly")
            }
            StorageError::Query(cause) => Problem::internal(&cause),
            StorageError::Invariant(cause) => Problem::internal(&cause),
        }
    }
}
