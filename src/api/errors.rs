//! Each use-case error reaches the client through its refusal (mapped once, in
//! `service::refusal`) as a problem document.

use super::problem::Problem;
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
use crate::service::refusal::Refusal;
use crate::service::remove_threshold::RemoveThresholdError;
use crate::service::reverse_movement::ReverseMovementError;
use crate::service::revoke_token::RevokeTokenError;
use crate::service::set_threshold::SetThresholdError;
use crate::service::update_item::UpdateItemError;
use crate::service::update_location::UpdateLocationError;
use crate::service::update_patient::UpdatePatientError;
use crate::service::update_supplier::UpdateSupplierError;
use crate::service::update_user::UpdateUserError;

macro_rules! through_refusal {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for Problem {
            fn from(error: $error) -> Problem {
                Refusal::from(error).into()
            }
        })*
    };
}

through_refusal!(
    CreateItemError,
    UpdateItemError,
    CreateLocationError,
    UpdateLocationError,
    ReadError,
    MovementInputError,
    IssueTokenError,
    RevokeTokenError,
    AuthenticateError,
    RecordMovementError,
    ReverseMovementError,
    CreatePatientError,
    UpdatePatientError,
    ChangeLotStatusError,
    DefineProcedureError,
    PerformProcedureError,
    SetThresholdError,
    RemoveThresholdError,
    AcknowledgeAlertError,
    CreateSupplierError,
    UpdateSupplierError,
    PlaceOrderError,
    OrderSuggestionsError,
    CancelOrderError,
    ForecastError,
    RecordExcursionError,
    DecideExcursionError,
    CreateUserError,
    UpdateUserError,
);
