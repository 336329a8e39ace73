//! Schemas of the texts the API takes, derived from the domain's own limits and rules
//! (`domain::text`), so the document cannot drift from what the service checks.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

use crate::domain::text::TextKind;
use crate::domain::time::FROM_EPOCH_PATTERN;
use crate::domain::{catalog, ledger, patient, procedure, token, user};

fn text(kind: TextKind, max: usize) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(kind.min_length()))
        .max_length(Some(max))
        .pattern(Some(kind.pattern()))
        .into()
}

macro_rules! texts {
    ($($(#[$doc:meta])* $name:ident: $kind:ident, $max:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                text(TextKind::$kind, $max)
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

texts! {
    /// An item's or a location's code: letters, digits, `-`, `_`, `.`; stored upper case.
    Code: Code, catalog::CODE_MAX;
    /// A name people read.
    Name: Required, catalog::NAME_MAX;
    /// The unit an item is counted in (a vial, a kit).
    Unit: Required, catalog::UNIT_MAX;
    /// The manufacturer's lot number.
    LotNumber: Required, ledger::LOT_NUMBER_MAX;
    /// A pack's serial number.
    SerialNumber: Required, ledger::SERIAL_MAX;
    /// Why (a movement, a lot status).
    Reason: Required, ledger::REASON_MAX;
    /// The caller's own reference (delivery note, order number…).
    Reference: Optional, ledger::REFERENCE_MAX;
    /// A note; line breaks allowed.
    Note: Free, ledger::NOTE_MAX;
    /// A patient's pseudonymous code.
    PatientReference: Code, patient::REFERENCE_MAX;
    /// Notes on a patient (never a name or a birth date); line breaks allowed.
    PatientNotes: Free, patient::NOTES_MAX;
    /// A procedure's name.
    ProcedureName: Required, procedure::NAME_MAX;
    /// A token's name.
    TokenName: Required, token::NAME_MAX;
    /// How the web app names a user.
    DisplayName: Required, user::DISPLAY_NAME_MAX;
}

/// When something happened: RFC 3339, not before 2000 (nor in the future, nor before its lots
/// arrived: rules judged against now and the ledger).
pub struct OccurredAt;

impl utoipa::PartialSchema for OccurredAt {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(FROM_EPOCH_PATTERN))
            .description(Some(
                "When it happened (default: now); not in the future, not before 2000, not before its lots \
                 arrived; more than `ledger.max_backdate_days` back needs the admin role",
            ))
            .into()
    }
}

impl utoipa::ToSchema for OccurredAt {}

/// A date the pharmacy plans by (`time::service_date`): 2000-01-01 to 2099-12-31.
pub struct PlannedDate;

impl utoipa::PartialSchema for PlannedDate {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(crate::domain::time::SERVICE_DATE_PATTERN))
            .into()
    }
}

impl utoipa::ToSchema for PlannedDate {}

/// A procedure's code: a-z, 0-9 and `_` (`procedure::parse_code`).
pub struct ProcedureCode;

impl utoipa::PartialSchema for ProcedureCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(procedure::CODE_MAX))
            .pattern(Some(procedure::CODE_PATTERN))
            .examples(["refill"])
            .into()
    }
}

impl utoipa::ToSchema for ProcedureCode {}

/// A scanner's string: a GS1 code (`]d2…` with GS bytes, or the bracket form).
pub struct ScanData;

impl utoipa::PartialSchema for ScanData {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(crate::domain::gs1::SCAN_MAX))
            .description(Some(
                "What the scanner typed: a GS1 DataMatrix / GS1-128 / GS1 QR message with or without its \
                 symbology identifier (`]d2`), GS (0x1D) after variable-length fields, or the bracket form \
                 `(01)…(17)…(10)…`",
            ))
            .examples(["]d2010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4"])
            .into()
    }
}

impl utoipa::ToSchema for ScanData {}

/// A username: 2–64 letters, digits, `.`, `_`, `-`; kept lower case.
pub struct Username;

impl utoipa::PartialSchema for Username {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(2))
            .max_length(Some(crate::domain::user::USERNAME_MAX))
            .pattern(Some("^[A-Za-z0-9._-]+$"))
            .examples(["marie.dupont"])
            .into()
    }
}

impl utoipa::ToSchema for Username {}

/// A password: 12 characters or more (a passphrase); only its Argon2id hash is kept.
pub struct NewPassword;

impl utoipa::PartialSchema for NewPassword {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(crate::domain::user::PASSWORD_MIN))
            .max_length(Some(crate::domain::user::PASSWORD_MAX))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
            .into()
    }
}

impl utoipa::ToSchema for NewPassword {}
