//! The only code that speaks diesel. Rows stay here; callers get domain types.

pub mod alerts;
pub mod audit;
pub mod balances;
pub mod bulk;
pub mod excursions;
pub mod forecast;
pub mod idempotency;
pub mod items;
pub mod locations;
pub mod lots;
pub mod movements;
pub mod notifications;
pub mod orders;
pub mod patients;
pub mod procedures;
pub mod serials;
pub mod suppliers;
pub mod thresholds;
pub mod tokens;
pub mod usage;
pub mod users;

use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error};

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

/// Rewrites `?` placeholders as PostgreSQL's `$1, $2, …`.
pub(crate) fn numbered_params(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs raw SQL written with `?` placeholders on whichever backend `conn` is. For the few
/// statements the multi-backend connection cannot express (upserts, row locks); the body is
/// compiled once per backend so binds resolve to that backend's types.
macro_rules! on_backend {
    ($conn:expr, $sql:expr, |$query:ident, $c:ident| $body:expr) => {
        match $conn {
            crate::db::DbConnection::Sqlite($c) => {
                let $query = diesel::sql_query($sql);
                $body
            }
            crate::db::DbConnection::Pg($c) => {
                let $query = diesel::sql_query(crate::repo::numbered_params($sql));
                $body
            }
        }
    };
}
pub(crate) use on_backend;

/// Start and end (exclusive) timestamps of an inclusive date range.
pub fn day_bounds(
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
    let start = from.and_then(|d| d.and_hms_opt(0, 0, 0));
    let end = to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0));
    (start, end)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(super::numbered_params("a = ? AND b = ?"), "a = $1 AND b = $2");
    }
}
