use serde::Serialize;

/// One invalid field of a request, named by its JSON path (`lines[0].quantity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    /// What is wrong, as a stable code (`must-be-between-x-and-x`; `invalid` for a message
    /// without one): the web app says it in the reader's language.
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        let message = message.into();
        FieldError {
            field: field.into(),
            code: super::messages::code_of(&message),
            message,
        }
    }
}

/// Every invalid field of a request, so a client can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid field(s)", .0.len())]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> FieldErrors {
        FieldErrors(vec![FieldError::new(field, message)])
    }

    /// Keeps the value when it parsed, remembers the error otherwise.
    pub fn check<T>(&mut self, parsed: Result<T, FieldError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `Ok(value)` when no field failed, else every failure.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            value().ok_or(self)
        } else {
            Err(self)
        }
    }
}

/// A whole number within `min..=max`, as a field error otherwise.
pub fn within(field: &str, value: i64, min: u32, max: u32) -> Result<u32, FieldError> {
    u32::try_from(value)
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| FieldError::new(field, format!("must be between {min} and {max}")))
}
