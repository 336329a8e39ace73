//! A person who signs in, as an edge receives it, checked into `NewUser` / `UserChanges`.

use crate::domain::role::Role;
use crate::domain::text;
use crate::domain::user::{self, NewUser, Password, UserChanges, DISPLAY_NAME_MAX};
use crate::domain::validation::{FieldError, FieldErrors};

/// A new user as an edge received it (the password as typed).
#[derive(Debug, Clone)]
pub struct UserInput {
    pub username: String,
    /// Default: the username.
    pub display_name: Option<String>,
    pub role: Role,
    /// The first password; the user may change it.
    pub password: String,
}

impl TryFrom<UserInput> for NewUser {
    type Error = FieldErrors;
    fn try_from(r: UserInput) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::default();
        let username = errors.check(user::parse_username("username", &r.username));
        let display_name = r
            .display_name
            .map(|name| errors.check(text::required_text("display_name", &name, DISPLAY_NAME_MAX)));
        let password = errors.check(Password::new("password", &r.password));
        errors.finish(|| {
            let username = username?;
            Some(NewUser {
                display_name: match display_name {
                    Some(name) => name?,
                    None => username.clone(),
                },
                username,
                role: r.role,
                password: password?,
            })
        })
    }
}

/// What to change of a user: only the fields present.
#[derive(Debug, Clone)]
pub struct UserChangesInput {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// A new password (also lifts a lock-out after failed sign-ins).
    pub password: Option<String>,
}

impl TryFrom<UserChangesInput> for UserChanges {
    type Error = FieldErrors;
    fn try_from(r: UserChangesInput) -> Result<UserChanges, FieldErrors> {
        let mut errors = FieldErrors::default();
        let display_name = r
            .display_name
            .and_then(|name| errors.check(text::required_text("display_name", &name, DISPLAY_NAME_MAX)));
        let password = r.password.and_then(|p| errors.check(Password::new("password", &p)));
        let changes = UserChanges {
            display_name,
            role: r.role,
            active: r.active,
            password,
        };
        let empty = changes.display_name.is_none()
            && changes.role.is_none()
            && changes.active.is_none()
            && changes.password.is_none();
        if empty && errors.0.is_empty() {
            errors.push(FieldError::new("body", "names no field to change"));
        }
        errors.finish(|| Some(changes))
    }
}
