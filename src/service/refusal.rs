//! A use-case's refusal, edge-neutral: each use-case error mapped once to a kind (its code),
//! a detail in the API's English words, the invalid fields and, when stock fell short, by how
//! much. The JSON API turns it into a problem document; the web app shows it in the reader's
//! language, looked up by its code.

use crate::db::StorageError;

use crate::domain::ledger::{Insufficient, Unusable};
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::acknowledge_alert::AcknowledgeAlertError;
use crate::service::authenticate::AuthenticateError;
use crate::service::cancel_order::CancelOrderError;
use crate::service::change_lot_status::ChangeLotStatusError;
use crate::service::create_item::CreateItemError;
use crate::service::create_location::CreateLocationError;
use crate::service::create_patient::CreatePatientError;
use crate::service::create_supplier::CreateSupplierError;
use crate::service::create_user::CreateUserError;
use crate::service::decide_excursion::DecideExcursionError;
use crate::service::define_procedure::DefineProcedureError;
use crate::service::forecast::ForecastError;
use crate::service::input::movement::MovementInputError;
use crate::service::issue_token::IssueTokenError;
use crate::service::order_suggestions::OrderSuggestionsError;
use crate::service::perform_procedure::PerformProcedureError;
use crate::service::place_order::PlaceOrderError;
use crate::service::read_catalog::ReadError;
use crate::service::record_excursion::RecordExcursionError;
use crate::service::record_movement::RecordMovementError;
use crate::service::remove_threshold::RemoveThresholdError;
use crate::service::reverse_movement::ReverseMovementError;
use crate::service::revoke_token::RevokeTokenError;
use crate::service::set_threshold::SetThresholdError;
use crate::service::update_item::UpdateItemError;
use crate::service::update_location::UpdateLocationError;
use crate::service::update_patient::UpdatePatientError;
use crate::service::update_supplier::UpdateSupplierError;
use crate::service::update_user::UpdateUserError;

/// The kinds of refusal, each with a stable code (the API's problem `type` ends with it, the web
/// app looks its words up by it) and the HTTP status the API answers it with.
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
    LastAdmin,
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
            ProblemKind::LastAdmin => "last-admin",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            ProblemKind::MalformedRequest => 400,
            ProblemKind::Unauthorized => 401,
            ProblemKind::Forbidden => 403,
            ProblemKind::NotFound => 404,
            ProblemKind::MethodNotAllowed => 405,
            ProblemKind::Duplicate => 409,
            ProblemKind::PayloadTooLarge => 413,
            ProblemKind::RequestTimeout => 408,
            ProblemKind::UnsupportedMediaType => 415,
            ProblemKind::ValidationFailed => 422,
            ProblemKind::Internal => 500,
            ProblemKind::Unavailable => 503,
            ProblemKind::PatientNotActive => 422,
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
            | ProblemKind::OrderClosed
            | ProblemKind::LastAdmin => 409,
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
            ProblemKind::LastAdmin => "The last active admin stays an admin",
        }
    }

    /// The kind a bare status code stands for, for errors raised outside our handlers.
    pub fn for_status(status: u16) -> ProblemKind {
        match status {
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

/// Why a use-case refused, as every edge reports it.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub kind: ProblemKind,
    /// What went wrong, for a person (the API's words).
    pub detail: String,
    /// Each invalid field, when the input failed validation.
    pub errors: Vec<FieldError>,
    /// With `insufficient-stock`: which line fell short, and by how much.
    pub shortage: Option<Insufficient>,
}

impl Refusal {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            shortage: None,
        }
    }

    pub fn invalid(errors: FieldErrors) -> Refusal {
        let detail = match errors.0.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Refusal {
            errors: errors.0,
            ..Refusal::new(ProblemKind::ValidationFailed, detail)
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Refusal {
        Refusal::new(ProblemKind::NotFound, detail)
    }

    pub fn unauthorized() -> Refusal {
        Refusal::new(
            ProblemKind::Unauthorized,
            "a valid bearer token is required (Authorization: Bearer <token>)",
        )
    }

    /// Logs the cause for operators; the client only learns that something failed.
    pub fn internal(cause: &dyn std::fmt::Display) -> Refusal {
        tracing::error!(error = %cause, "internal error");
        Refusal::new(
            ProblemKind::Internal,
            "the request could not be completed; it has been logged",
        )
    }
}

impl From<FieldErrors> for Refusal {
    fn from(errors: FieldErrors) -> Refusal {
        Refusal::invalid(errors)
    }
}

impl From<StorageError> for Refusal {
    fn from(error: StorageError) -> Refusal {
        match error {
            StorageError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Refusal::new(ProblemKind::Unavailable, "the database is unavailable; retry shortly")
            }
            StorageError::Query(cause) => Refusal::internal(&cause),
            StorageError::Invariant(cause) => Refusal::internal(&cause),
        }
    }
}

impl From<CreateItemError> for Refusal {
    fn from(error: CreateItemError) -> Refusal {
        match error {
            CreateItemError::DuplicateCode(_) | CreateItemError::DuplicateGtin => {
                Refusal::new(ProblemKind::Duplicate, error.to_string())
            }
            CreateItemError::UnknownSupplier => {
                Refusal::invalid(FieldErrors::single("supplier_id", "no such supplier"))
            }
            CreateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateItemError> for Refusal {
    fn from(error: UpdateItemError) -> Refusal {
        match error {
            UpdateItemError::NotFound(_) => Refusal::not_found(error.to_string()),
            UpdateItemError::DuplicateCode(_) | UpdateItemError::DuplicateGtin => {
                Refusal::new(ProblemKind::Duplicate, error.to_string())
            }
            UpdateItemError::UnknownSupplier => {
                Refusal::invalid(FieldErrors::single("supplier_id", "no such supplier"))
            }
            UpdateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateLocationError> for Refusal {
    fn from(error: CreateLocationError) -> Refusal {
        match error {
            CreateLocationError::DuplicateCode(_) => Refusal::new(ProblemKind::Duplicate, error.to_string()),
            CreateLocationError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateLocationError> for Refusal {
    fn from(error: UpdateLocationError) -> Refusal {
        match error {
            UpdateLocationError::NotFound(_) => Refusal::not_found(error.to_string()),
            UpdateLocationError::DuplicateCode(_) => Refusal::new(ProblemKind::Duplicate, error.to_string()),
            UpdateLocationError::Storage(e) => e.into(),
        }
    }
}

impl From<ReadError> for Refusal {
    fn from(error: ReadError) -> Refusal {
        match error {
            ReadError::NotFound => Refusal::not_found("no such resource"),
            ReadError::Storage(e) => e.into(),
        }
    }
}

impl From<MovementInputError> for Refusal {
    fn from(error: MovementInputError) -> Refusal {
        match error {
            MovementInputError::Invalid(errors) => errors.into(),
            MovementInputError::Read(e) => e.into(),
        }
    }
}

impl From<IssueTokenError> for Refusal {
    fn from(error: IssueTokenError) -> Refusal {
        match error {
            IssueTokenError::Storage(e) => e.into(),
        }
    }
}

impl From<RevokeTokenError> for Refusal {
    fn from(error: RevokeTokenError) -> Refusal {
        match error {
            RevokeTokenError::NotFound(_) => Refusal::not_found(error.to_string()),
            RevokeTokenError::OwnToken | RevokeTokenError::LastAdmin(_) => {
                Refusal::new(ProblemKind::TokenProtected, error.to_string())
            }
            RevokeTokenError::Storage(e) => e.into(),
        }
    }
}

impl From<AuthenticateError> for Refusal {
    fn from(error: AuthenticateError) -> Refusal {
        match error {
            AuthenticateError::Invalid => Refusal::unauthorized(),
            AuthenticateError::Storage(e) => e.into(),
        }
    }
}

fn insufficient(short: Insufficient, detail: String) -> Refusal {
    Refusal {
        shortage: Some(short),
        ..Refusal::new(ProblemKind::InsufficientStock, detail)
    }
}

impl From<RecordMovementError> for Refusal {
    fn from(error: RecordMovementError) -> Refusal {
        let detail = error.to_string();
        match error {
            RecordMovementError::Invalid(errors) => Refusal::invalid(errors),
            RecordMovementError::BackdatingNotAllowed { .. } => Refusal::new(ProblemKind::Forbidden, detail),
            RecordMovementError::PatientNotActive(_) => Refusal {
                errors: vec![FieldError::new(
                    "patient_id",
                    "is not active: only active patients receive",
                )],
                ..Refusal::new(ProblemKind::PatientNotActive, detail)
            },
            RecordMovementError::InsufficientStock(short) => insufficient(short, detail),
            RecordMovementError::LotUnusable { why, lot_number, .. } => {
                let (kind, state) = match why {
                    Unusable::Expired => (ProblemKind::LotExpired, "expired"),
                    Unusable::Quarantined => (ProblemKind::LotQuarantined, "quarantined"),
                    Unusable::Recalled => (ProblemKind::LotRecalled, "recalled"),
                };
                Refusal::new(
                    kind,
                    format!("lot {lot_number} is {state} and cannot be dispensed or transferred"),
                )
            }
            RecordMovementError::LotExpiryMismatch { .. } => Refusal::new(ProblemKind::LotExpiryMismatch, detail),
            RecordMovementError::SerialAlreadyReceived { .. } => Refusal::new(ProblemKind::DuplicateSerial, detail),
            RecordMovementError::SerialUnavailable { .. } => Refusal::new(ProblemKind::SerialUnavailable, detail),
            RecordMovementError::ReturnExceedsDispensed { .. } | RecordMovementError::ReturnExceedsOut { .. } => {
                Refusal::new(ProblemKind::ReturnExceedsDispensed, detail)
            }
            RecordMovementError::SerialRequired { .. } => Refusal::new(ProblemKind::SerialRequired, detail),
            RecordMovementError::OrderClosed { .. } => Refusal::new(ProblemKind::OrderClosed, detail),
            RecordMovementError::Storage(e) => e.into(),
        }
    }
}

impl From<ReverseMovementError> for Refusal {
    fn from(error: ReverseMovementError) -> Refusal {
        let detail = error.to_string();
        match error {
            ReverseMovementError::NotFound(_) => Refusal::not_found(detail),
            ReverseMovementError::NotReversible(_) => Refusal::new(ProblemKind::NotReversible, detail),
            ReverseMovementError::AlreadyReversed { .. } => Refusal::new(ProblemKind::AlreadyReversed, detail),
            ReverseMovementError::InsufficientStock(short) => insufficient(short, detail),
            ReverseMovementError::NoLongerHeld { .. } | ReverseMovementError::NoLongerOut { .. } => {
                Refusal::new(ProblemKind::ReturnExceedsDispensed, detail)
            }
            ReverseMovementError::DecidedWaste(..) => Refusal::new(ProblemKind::NotReversible, detail),
            ReverseMovementError::SerialRequired { .. } => Refusal::new(ProblemKind::SerialRequired, detail),
            ReverseMovementError::SerialMoved { .. } => Refusal::new(ProblemKind::SerialUnavailable, error.to_string()),
            ReverseMovementError::Storage(e) => e.into(),
        }
    }
}

impl From<CreatePatientError> for Refusal {
    fn from(error: CreatePatientError) -> Refusal {
        match error {
            CreatePatientError::DuplicateReference => Refusal::new(ProblemKind::Duplicate, error.to_string()),
            CreatePatientError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdatePatientError> for Refusal {
    fn from(error: UpdatePatientError) -> Refusal {
        match error {
            UpdatePatientError::NotFound(_) => Refusal::not_found(error.to_string()),
            UpdatePatientError::DuplicateReference => Refusal::new(ProblemKind::Duplicate, error.to_string()),
            UpdatePatientError::Storage(e) => e.into(),
        }
    }
}

impl From<ChangeLotStatusError> for Refusal {
    fn from(error: ChangeLotStatusError) -> Refusal {
        match error {
            ChangeLotStatusError::NotFound(_) => Refusal::not_found(error.to_string()),
            ChangeLotStatusError::Storage(e) => e.into(),
        }
    }
}

impl From<DefineProcedureError> for Refusal {
    fn from(error: DefineProcedureError) -> Refusal {
        match error {
            DefineProcedureError::Invalid(errors) => Refusal::invalid(errors),
            DefineProcedureError::Storage(e) => e.into(),
        }
    }
}

impl From<PerformProcedureError> for Refusal {
    fn from(error: PerformProcedureError) -> Refusal {
        match error {
            PerformProcedureError::PatientNotFound(_) => Refusal::not_found(error.to_string()),
            PerformProcedureError::UnknownProcedure(code) => {
                Refusal::invalid(FieldErrors::single("procedure", format!("no such procedure: {code}")))
            }
            PerformProcedureError::Movement(e) => e.into(),
            PerformProcedureError::Storage(e) => e.into(),
        }
    }
}

impl From<SetThresholdError> for Refusal {
    fn from(error: SetThresholdError) -> Refusal {
        match error {
            SetThresholdError::Invalid(errors) => Refusal::invalid(errors),
            SetThresholdError::Storage(e) => e.into(),
        }
    }
}

impl From<RemoveThresholdError> for Refusal {
    fn from(error: RemoveThresholdError) -> Refusal {
        match error {
            RemoveThresholdError::NotFound(_) => Refusal::not_found(error.to_string()),
            RemoveThresholdError::Storage(e) => e.into(),
        }
    }
}

impl From<AcknowledgeAlertError> for Refusal {
    fn from(error: AcknowledgeAlertError) -> Refusal {
        match error {
            AcknowledgeAlertError::NotFound(_) => Refusal::not_found(error.to_string()),
            AcknowledgeAlertError::Resolved(_) => Refusal::new(ProblemKind::AlertResolved, error.to_string()),
            AcknowledgeAlertError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateSupplierError> for Refusal {
    fn from(error: CreateSupplierError) -> Refusal {
        match error {
            CreateSupplierError::DuplicateCode(_) => Refusal::new(ProblemKind::Duplicate, error.to_string()),
            CreateSupplierError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateSupplierError> for Refusal {
    fn from(error: UpdateSupplierError) -> Refusal {
        match error {
            UpdateSupplierError::NotFound(_) => Refusal::not_found(error.to_string()),
            UpdateSupplierError::DuplicateCode(_) => Refusal::new(ProblemKind::Duplicate, error.to_string()),
            UpdateSupplierError::Storage(e) => e.into(),
        }
    }
}

impl From<PlaceOrderError> for Refusal {
    fn from(error: PlaceOrderError) -> Refusal {
        match error {
            PlaceOrderError::Invalid(errors) => Refusal::invalid(errors),
            PlaceOrderError::Storage(e) => e.into(),
        }
    }
}

impl From<OrderSuggestionsError> for Refusal {
    fn from(error: OrderSuggestionsError) -> Refusal {
        match error {
            OrderSuggestionsError::Invalid(errors) => Refusal::invalid(errors),
            OrderSuggestionsError::Storage(e) => e.into(),
        }
    }
}

impl From<CancelOrderError> for Refusal {
    fn from(error: CancelOrderError) -> Refusal {
        match error {
            CancelOrderError::NotFound(_) => Refusal::not_found(error.to_string()),
            CancelOrderError::Closed { .. } => Refusal::new(ProblemKind::OrderClosed, error.to_string()),
            CancelOrderError::Storage(e) => e.into(),
        }
    }
}

impl From<ForecastError> for Refusal {
    fn from(error: ForecastError) -> Refusal {
        match error {
            ForecastError::NotFound(_) => Refusal::not_found(error.to_string()),
            ForecastError::Storage(e) => e.into(),
        }
    }
}

impl From<RecordExcursionError> for Refusal {
    fn from(error: RecordExcursionError) -> Refusal {
        match error {
            RecordExcursionError::NotFound(_) => Refusal::not_found(error.to_string()),
            RecordExcursionError::Invalid(errors) => Refusal::invalid(errors),
            RecordExcursionError::Storage(e) => e.into(),
        }
    }
}

impl From<DecideExcursionError> for Refusal {
    fn from(error: DecideExcursionError) -> Refusal {
        match error {
            DecideExcursionError::NotFound(_) => Refusal::not_found(error.to_string()),
            DecideExcursionError::NotHeld { excursion, lot } => Refusal::invalid(FieldErrors::single(
                "lot_id",
                format!("no such held lot: excursion {excursion} held nothing of lot {lot}"),
            )),
            DecideExcursionError::AlreadyDecided { .. } => Refusal::new(ProblemKind::AlreadyDecided, error.to_string()),
            DecideExcursionError::Destroy(e) => (*e).into(),
            DecideExcursionError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateUserError> for Refusal {
    fn from(error: CreateUserError) -> Refusal {
        match error {
            CreateUserError::DuplicateUsername(_) => Refusal::new(ProblemKind::Duplicate, error.to_string()),
            CreateUserError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateUserError> for Refusal {
    fn from(error: UpdateUserError) -> Refusal {
        match error {
            UpdateUserError::NotFound(_) => Refusal::not_found(error.to_string()),
            UpdateUserError::LastAdmin(_) => Refusal::new(ProblemKind::LastAdmin, error.to_string()),
            UpdateUserError::Storage(e) => e.into(),
        }
    }
}
