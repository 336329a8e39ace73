//! The only code that speaks diesel. Rows stay here; callers get domain types.

pub mod audit;
pub mod items;
pub mod locations;
pub mod tokens;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::result::{DatabaseErrorKind, Error};

/// Now, in UTC, to the microsecond: PostgreSQL keeps microseconds and SQLite would keep
/// nanoseconds, so both backends store and compare the same value.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

pub fn is_unique_violation(error: &Error) -> bool {
    matches!(error, Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
}

/// Which unique constraint a violation hit, by the column names the backend reports.
pub fn unique_violation_mentions(error: &Error, column: &str) -> bool {
    match error {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.message().contains(column)
                || info.constraint_name().is_some_and(|c| c.contains(column))
                || info.column_name().is_some_and(|c| c == column)
        }
        _ => false,
    }
}

/// A stored text that no longer parses means the database was changed behind our back.
fn corrupt(what: &str, value: &str) -> Error {
    Error::DeserializationError(format!("unexpected {what} {value:?} in the database").into())
}

diesel::define_sql_function! {
    /// SQL `lower(text)`, the same on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A `LIKE` pattern matching `text` anywhere, with the wildcards in `text` escaped.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
