//! A supplier as an edge receives it, checked into `NewSupplier` / `SupplierChanges`.

use crate::domain::catalog;
use crate::domain::supply::{self, NewSupplier, SupplierChanges};
use crate::domain::text;
use crate::domain::validation::{within, FieldError, FieldErrors};

/// A new supplier as an edge received it.
#[derive(Debug, Clone)]
pub struct SupplierInput {
    /// Letters, digits, `-`, `_`, `.`; stored upper case.
    pub code: String,
    pub name: String,
    /// 0–365 (default 14).
    pub lead_time_days: Option<i64>,
    pub email: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

impl TryFrom<SupplierInput> for NewSupplier {
    type Error = FieldErrors;
    fn try_from(r: SupplierInput) -> Result<NewSupplier, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = errors.check(text::code("code", &r.code, catalog::CODE_MAX));
        let name = errors.check(text::required_text("name", &r.name, catalog::NAME_MAX));
        let lead_time_days = match r.lead_time_days {
            Some(days) => errors.check(lead_time(days)),
            None => Some(supply::DEFAULT_LEAD_TIME_DAYS),
        };
        let email = match &r.email {
            Some(address) => errors.check(email(address)).map(Some),
            None => Some(None),
        };
        errors.finish(|| {
            Some(NewSupplier {
                code: code?,
                name: name?,
                lead_time_days: lead_time_days?,
                email: email?,
                active: r.active.unwrap_or(true),
            })
        })
    }
}

/// What to change of a supplier: only the fields present.
#[derive(Debug, Clone)]
pub struct SupplierChangesInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub lead_time_days: Option<i64>,
    /// `null` clears it.
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

impl TryFrom<SupplierChangesInput> for SupplierChanges {
    type Error = FieldErrors;
    fn try_from(r: SupplierChangesInput) -> Result<SupplierChanges, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = r.code.map(|v| errors.check(text::code("code", &v, catalog::CODE_MAX)));
        let name = r
            .name
            .map(|v| errors.check(text::required_text("name", &v, catalog::NAME_MAX)));
        let lead_time_days = r.lead_time_days.map(|v| errors.check(lead_time(v)));
        let email = match r.email {
            None => None,
            Some(None) => Some(None),
            Some(Some(address)) => errors.check(email(&address)).map(Some),
        };
        let changes = SupplierChanges {
            code: code.flatten(),
            name: name.flatten(),
            lead_time_days: lead_time_days.flatten(),
            email,
            active: r.active,
        };
        if changes.is_empty() && errors.0.is_empty() {
            errors.push(FieldError::new("body", "names no field to change"));
        }
        errors.finish(|| Some(changes))
    }
}

fn lead_time(value: i64) -> Result<u32, FieldError> {
    within("lead_time_days", value, 0, supply::MAX_LEAD_TIME_DAYS)
}

fn email(value: &str) -> Result<String, FieldError> {
    text::email("email", value, supply::EMAIL_MAX)
}
