//! People who sign in to the web app: a username, a display name, a role (the tokens' roles) and
//! a password kept only as an Argon2id hash.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::NaiveDateTime;
use rand::RngCore;

use super::ids::UserId;
use super::role::Role;
use super::validation::FieldError;

pub const USERNAME_MAX: usize = 64;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const PASSWORD_MIN: usize = 12;
/// Argon2 takes any length; a bound keeps a sign-in from hashing megabytes.
pub const PASSWORD_MAX: usize = 1024;
/// Failed sign-ins in a row before the account waits `LOCK_MINUTES`.
pub const SIGN_IN_ATTEMPTS: i32 = 5;
pub const LOCK_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// A username: 2–64 of a–z, 0–9, `.`, `_`, `-`, kept lower case (so `Marie` and `marie` are one).
pub fn parse_username(field: &str, text: &str) -> Result<String, FieldError> {
    let name = text.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    if !(2..=USERNAME_MAX).contains(&name.chars().count()) || !name.chars().all(allowed) {
        return Err(FieldError::new(
            field,
            format!("must be 2 to {USERNAME_MAX} letters a-z, digits, '.', '_' or '-'"),
        ));
    }
    Ok(name)
}

/// A password as typed: never logged, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// A new password: at least 12 characters (a passphrase), at most 1024.
    pub fn new(field: &str, text: &str) -> Result<Password, FieldError> {
        let length = text.chars().count();
        if length < PASSWORD_MIN {
            return Err(FieldError::new(
                field,
                format!("must be at least {PASSWORD_MIN} characters"),
            ));
        }
        if length > PASSWORD_MAX {
            return Err(FieldError::new(
                field,
                format!("must be at most {PASSWORD_MAX} characters"),
            ));
        }
        Ok(Password(text.to_owned()))
    }

    /// A password as presented at sign-in: checked against the hash whatever its length.
    pub fn presented(text: &str) -> Password {
        Password(text.chars().take(PASSWORD_MAX).collect())
    }

    /// Argon2id (the crate's defaults: 19 MiB, 2 passes) with a random 16-byte salt, as a PHC string.
    pub fn hash(&self) -> PasswordHash {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let encoded = SaltString::encode_b64(&salt).and_then(|salt| {
            Argon2::default()
                .hash_password(self.0.as_bytes(), &salt)
                .map(|h| h.to_string())
        });
        // Encoding 16 bytes and hashing with default parameters cannot fail; an empty hash
        // (never matched) rather than a panic if it ever did.
        PasswordHash(encoded.unwrap_or_default())
    }

    pub fn matches(&self, hash: &PasswordHash) -> bool {
        argon2::password_hash::PasswordHash::new(&hash.0)
            .is_ok_and(|parsed| Argon2::default().verify_password(self.0.as_bytes(), &parsed).is_ok())
    }
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: Password,
}

#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password: Option<Password>,
}

/// A web session ends after this long without a request.
pub const SESSION_IDLE_MINUTES: i64 = 30;

/// Whether a session last seen at `last_seen` has expired by `now`.
pub fn session_expired(last_seen: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - last_seen > chrono::Duration::minutes(SESSION_IDLE_MINUTES)
}

/// What the failed sign-ins of an account lead to: the new count, and a lock until when.
pub fn after_failed_sign_in(failed_before: i32, now: NaiveDateTime) -> (i32, Option<NaiveDateTime>) {
    let failed = failed_before.saturating_add(1);
    if failed >= SIGN_IN_ATTEMPTS {
        (0, Some(now + chrono::Duration::minutes(LOCK_MINUTES)))
    } else {
        (failed, None)
    }
}

/// A random value for a cookie or a form (32 bytes, URL-safe base64).
pub fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_for_fifteen_minutes() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(after_failed_sign_in(0, now), (1, None));
        assert_eq!(after_failed_sign_in(3, now), (4, None));
        assert_eq!(
            after_failed_sign_in(4, now),
            (0, Some(now + chrono::Duration::minutes(15)))
        );
        assert!(!session_expired(now, now + chrono::Duration::minutes(30)));
        assert!(session_expired(now, now + chrono::Duration::minutes(31)));
    }

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(parse_username("username", " Marie.Curie ").unwrap(), "marie.curie");
        assert!(parse_username("username", "a").is_err());
        assert!(parse_username("username", "marie curie").is_err());
        assert!(parse_username("username", "élodie").is_err());
    }

    #[test]
    fn a_password_is_long_and_only_its_hash_is_kept() {
        assert_eq!(
            Password::new("password", "short").unwrap_err().message,
            "must be at least 12 characters"
        );
        let password = Password::new("password", "correct horse battery").unwrap();
        let hash = password.hash();
        assert!(hash.0.starts_with("$argon2id$v=19$"), "{}", hash.0);
        assert!(!hash.0.contains("correct horse"));
        assert!(password.matches(&hash));
        assert!(!Password::presented("correct horse battery!").matches(&hash));
        assert_ne!(password.hash(), hash, "a fresh salt each time");
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
