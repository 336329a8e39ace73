//! Each use-case error, mapped once to its problem document.

use super::problem::Shortage;
use super::problem::{Problem, ProblemKind};
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

impl From<CreateItemError> for Problem {
    fn from(error: CreateItemError) -> Problem {
        match error {
            CreateItemError::DuplicateCode(_) | CreateItemError::DuplicateGtin => {
                Problem::new(ProblemKind::Duplicate, error.to_string())
            }
            CreateItemError::UnknownSupplier => {
                Problem::invalid(FieldErrors::single("supplier_id", "no such supplier"))
            }
            CreateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateItemError> for Problem {
    fn from(error: UpdateItemError) -> Problem {
        match error {
            UpdateItemError::NotFound(_) => Problem::not_found(error.to_string()),
            UpdateItemError::DuplicateCode(_) | UpdateItemError::DuplicateGtin => {
                Problem::new(ProblemKind::Duplicate, error.to_string())
            }
            UpdateItemError::UnknownSupplier => {
                Problem::invalid(FieldErrors::single("supplier_id", "no such supplier"))
            }
            UpdateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateLocationError> for Problem {
    fn from(error: CreateLocationError) -> Problem {
        match error {
            CreateLocationError::DuplicateCode(_) => Problem::new(ProblemKind::Duplicate, error.to_string()),
            CreateLocationError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateLocationError> for Problem {
    fn from(error: UpdateLocationError) -> Problem {
        match error {
            UpdateLocationError::NotFound(_) => Problem::not_found(error.to_string()),
            UpdateLocationError::DuplicateCode(_) => Problem::new(ProblemKind::Duplicate, error.to_string()),
            UpdateLocationError::Storage(e) => e.into(),
        }
    }
}

impl From<ReadError> for Problem {
    fn from(error: ReadError) -> Problem {
        match error {
            ReadError::NotFound => Problem::not_found("no such resource"),
            ReadError::Storage(e) => e.into(),
        }
    }
}

impl From<IssueTokenError> for Problem {
    fn from(error: IssueTokenError) -> Problem {
        match error {
            IssueTokenError::Storage(e) => e.into(),
        }
    }
}

impl From<RevokeTokenError> for Problem {
    fn from(error: RevokeTokenError) -> Problem {
        match error {
            RevokeTokenError::NotFound(_) => Problem::not_found(error.to_string()),
            RevokeTokenError::OwnToken | RevokeTokenError::LastAdmin(_) => {
                Problem::new(ProblemKind::TokenProtected, error.to_string())
            }
            RevokeTokenError::Storage(e) => e.into(),
        }
    }
}

impl From<AuthenticateError> for Problem {
    fn from(error: AuthenticateError) -> Problem {
        match error {
            AuthenticateError::Invalid => Problem::unauthorized(),
            AuthenticateError::Storage(e) => e.into(),
        }
    }
}

fn insufficient(short: Insufficient, detail: String) -> Problem {
    Problem {
        shortage: Some(Box::new(Shortage {
            item_id: short.item,
            location_id: short.location,
            requested: short.requested,
            available: short.available,
        })),
        ..Problem::new(ProblemKind::InsufficientStock, detail)
    }
}

impl From<RecordMovementError> for Problem {
    fn from(error: RecordMovementError) -> Problem {
        let detail = error.to_string();
        match error {
            RecordMovementError::Invalid(errors) => Problem::invalid(errors),
            RecordMovementError::BackdatingNotAllowed { .. } => Problem::new(ProblemKind::Forbidden, detail),
            RecordMovementError::PatientNotActive(_) => Problem {
                errors: vec![FieldError::new(
                    "patient_id",
                    "is not active: only active patients receive",
                )],
                ..Problem::new(ProblemKind::PatientNotActive, detail)
            },
            RecordMovementError::InsufficientStock(short) => insufficient(short, detail),
            RecordMovementError::LotUnusable { why, lot_number, .. } => {
                let (kind, state) = match why {
                    Unusable::Expired => (ProblemKind::LotExpired, "expired"),
                    Unusable::Quarantined => (ProblemKind::LotQuarantined, "quarantined"),
                    Unusable::Recalled => (ProblemKind::LotRecalled, "recalled"),
                };
                Problem::new(
                    kind,
                    format!("lot {lot_number} is {state} and cannot be dispensed or transferred"),
                )
            }
            RecordMovementError::LotExpiryMismatch { .. } => Problem::new(ProblemKind::LotExpiryMismatch, detail),
            RecordMovementError::SerialAlreadyReceived { .. } => Problem::new(ProblemKind::DuplicateSerial, detail),
            RecordMovementError::SerialUnavailable { .. } => Problem::new(ProblemKind::SerialUnavailable, detail),
            RecordMovementError::ReturnExceedsDispensed { .. } | RecordMovementError::ReturnExceedsOut { .. } => {
                Problem::new(ProblemKind::ReturnExceedsDispensed, detail)
            }
            RecordMovementError::SerialRequired { .. } => Problem::new(ProblemKind::SerialRequired, detail),
            RecordMovementError::OrderClosed { .. } => Problem::new(ProblemKind::OrderClosed, detail),
            RecordMovementError::Storage(e) => e.into(),
        }
    }
}

impl From<ReverseMovementError> for Problem {
    fn from(error: ReverseMovementError) -> Problem {
        let detail = error.to_string();
        match error {
            ReverseMovementError::NotFound(_) => Problem::not_found(detail),
            ReverseMovementError::NotReversible(_) => Problem::new(ProblemKind::NotReversible, detail),
            ReverseMovementError::AlreadyReversed { .. } => Problem::new(ProblemKind::AlreadyReversed, detail),
            ReverseMovementError::InsufficientStock(short) => insufficient(short, detail),
            ReverseMovementError::NoLongerHeld { .. } | ReverseMovementError::NoLongerOut { .. } => {
                Problem::new(ProblemKind::ReturnExceedsDispensed, detail)
            }
            ReverseMovementError::DecidedWaste(..) => Problem::new(ProblemKind::NotReversible, detail),
            ReverseMovementError::SerialRequired { .. } => Problem::new(ProblemKind::SerialRequired, detail),
            ReverseMovementError::SerialMoved { .. } => Problem::new(ProblemKind::SerialUnavailable, error.to_string()),
            ReverseMovementError::Storage(e) => e.into(),
        }
    }
}

impl From<CreatePatientError> for Problem {
    fn from(error: CreatePatientError) -> Problem {
        match error {
            CreatePatientError::DuplicateReference => Problem::new(ProblemKind::Duplicate, error.to_string()),
            CreatePatientError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdatePatientError> for Problem {
    fn from(error: UpdatePatientError) -> Problem {
        match error {
            UpdatePatientError::NotFound(_) => Problem::not_found(error.to_string()),
            UpdatePatientError::DuplicateReference => Problem::new(ProblemKind::Duplicate, error.to_string()),
            UpdatePatientError::Storage(e) => e.into(),
        }
    }
}

impl From<ChangeLotStatusError> for Problem {
    fn from(error: ChangeLotStatusError) -> Problem {
        match error {
            ChangeLotStatusError::NotFound(_) => Problem::not_found(error.to_string()),
            ChangeLotStatusError::Storage(e) => e.into(),
        }
    }
}

impl From<DefineProcedureError> for Problem {
    fn from(error: DefineProcedureError) -> Problem {
        match error {
            DefineProcedureError::Invalid(errors) => Problem::invalid(errors),
            DefineProcedureError::Storage(e) => e.into(),
        }
    }
}

impl From<PerformProcedureError> for Problem {
    fn from(error: PerformProcedureError) -> Problem {
        match error {
            PerformProcedureError::PatientNotFound(_) => Problem::not_found(error.to_string()),
            PerformProcedureError::UnknownProcedure(code) => {
                Problem::invalid(FieldErrors::single("procedure", format!("no such procedure: {code}")))
            }
            PerformProcedureError::Movement(e) => e.into(),
            PerformProcedureError::Storage(e) => e.into(),
        }
    }
}

impl From<SetThresholdError> for Problem {
    fn from(error: SetThresholdError) -> Problem {
        match error {
            SetThresholdError::Invalid(errors) => Problem::invalid(errors),
            SetThresholdError::Storage(e) => e.into(),
        }
    }
}

impl From<RemoveThresholdError> for Problem {
    fn from(error: RemoveThresholdError) -> Problem {
        match error {
            RemoveThresholdError::NotFound(_) => Problem::not_found(error.to_string()),
            RemoveThresholdError::Storage(e) => e.into(),
        }
    }
}

impl From<AcknowledgeAlertError> for Problem {
    fn from(error: AcknowledgeAlertError) -> Problem {
        match error {
            AcknowledgeAlertError::NotFound(_) => Problem::not_found(error.to_string()),
            AcknowledgeAlertError::Resolved(_) => Problem::new(ProblemKind::AlertResolved, error.to_string()),
            AcknowledgeAlertError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateSupplierError> for Problem {
    fn from(error: CreateSupplierError) -> Problem {
        match error {
            CreateSupplierError::DuplicateCode(_) => Problem::new(ProblemKind::Duplicate, error.to_string()),
            CreateSupplierError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateSupplierError> for Problem {
    fn from(error: UpdateSupplierError) -> Problem {
        match error {
            UpdateSupplierError::NotFound(_) => Problem::not_found(error.to_string()),
            UpdateSupplierError::DuplicateCode(_) => Problem::new(ProblemKind::Duplicate, error.to_string()),
            UpdateSupplierError::Storage(e) => e.into(),
        }
    }
}

impl From<PlaceOrderError> for Problem {
    fn from(error: PlaceOrderError) -> Problem {
        match error {
            PlaceOrderError::Invalid(errors) => Problem::invalid(errors),
            PlaceOrderError::Storage(e) => e.into(),
        }
    }
}

impl From<OrderSuggestionsError> for Problem {
    fn from(error: OrderSuggestionsError) -> Problem {
        match error {
            OrderSuggestionsError::Invalid(errors) => Problem::invalid(errors),
            OrderSuggestionsError::Storage(e) => e.into(),
        }
    }
}

impl From<CancelOrderError> for Problem {
    fn from(error: CancelOrderError) -> Problem {
        match error {
            CancelOrderError::NotFound(_) => Problem::not_found(error.to_string()),
            CancelOrderError::Closed { .. } => Problem::new(ProblemKind::OrderClosed, error.to_string()),
            CancelOrderError::Storage(e) => e.into(),
        }
    }
}

impl From<ForecastError> for Problem {
    fn from(error: ForecastError) -> Problem {
        match error {
            ForecastError::NotFound(_) => Problem::not_found(error.to_string()),
            ForecastError::Storage(e) => e.into(),
        }
    }
}

impl From<RecordExcursionError> for Problem {
    fn from(error: RecordExcursionError) -> Problem {
        match error {
            RecordExcursionError::NotFound(_) => Problem::not_found(error.to_string()),
            RecordExcursionError::Invalid(errors) => Problem::invalid(errors),
            RecordExcursionError::Storage(e) => e.into(),
        }
    }
}

impl From<DecideExcursionError> for Problem {
    fn from(error: DecideExcursionError) -> Problem {
        match error {
            DecideExcursionError::NotFound(_) => Problem::not_found(error.to_string()),
            DecideExcursionError::NotHeld { excursion, lot } => Problem::invalid(FieldErrors::single(
                "lot_id",
                format!("no such held lot: excursion {excursion} held nothing of lot {lot}"),
            )),
            DecideExcursionError::AlreadyDecided { .. } => Problem::new(ProblemKind::AlreadyDecided, error.to_string()),
            DecideExcursionError::Destroy(e) => (*e).into(),
            DecideExcursionError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateUserError> for Problem {
    fn from(error: CreateUserError) -> Problem {
        match error {
            CreateUserError::DuplicateUsername(_) => Problem::new(ProblemKind::Duplicate, error.to_string()),
            CreateUserError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateUserError> for Problem {
    fn from(error: UpdateUserError) -> Problem {
        match error {
            UpdateUserError::NotFound(_) => Problem::not_found(error.to_string()),
            UpdateUserError::Storage(e) => e.into(),
        }
    }
}
