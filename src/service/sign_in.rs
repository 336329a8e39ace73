//! Signing in to the web app, and the session that follows: a random cookie secret (only its
//! SHA-256 stored), an anti-forgery token per session, expiry after inactivity, and a lock after
//! repeated failed sign-ins.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::token::{Actor, TokenHash};
use crate::domain::user::{dummy_hash, locked_until, random_token, session_expired, Password, User, SIGN_IN_ATTEMPTS};
use crate::repo;
use crate::repo::audit::{self, AuditEntry};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user, wrong password or disabled account: one answer for all three.
    #[error("wrong username or password")]
    Refused,
    #[error("too many failed sign-ins: try again after {0} (UTC)")]
    Locked(NaiveDateTime),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(SignInError);

/// A new session: the secret goes in the cookie, never in the database.
pub struct SignedIn {
    pub user: User,
    pub secret: String,
    pub csrf_token: String,
}

pub fn sign_in(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    username: &str,
    password: &Password,
) -> Result<SignedIn, SignInError> {
    let user = verified(conn, now, username, password)?;
    write_tx::<_, SignInError, _>(conn, |conn| {
        repo::users::set_sign_in_state(conn, user.id, 0, None)?;
        let secret = random_token();
        let csrf_token = random_token();
        repo::users::insert_session(conn, &TokenHash::of(&secret).0, user.id, &csrf_token, now)?;
        audit::record(
            conn,
            &actor_of(&user),
            now,
            AuditEntry {
                action: "user.sign_in",
                target_type: "user",
                target_id: user.id.to_string(),
                summary: format!("{} signed in to the web app", user.username),
            },
        )?;
        Ok(SignedIn {
            user: user.clone(),
            secret,
            csrf_token,
        })
    })
}

/// The active account this password opens, or why not. Each attempt is counted before its
/// password is checked (a success resets the count), so concurrency cannot buy more than
/// `SIGN_IN_ATTEMPTS` checks per lock; a disabled account counts as a wrong password.
pub(super) fn verified(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    username: &str,
    password: &Password,
) -> Result<User, SignInError> {
    let Some(account) = repo::users::credentials(conn, &username.trim().to_lowercase())? else {
        // The same work as for a real account, so timing does not say which usernames exist.
        let _ = password.matches(dummy_hash());
        return Err(SignInError::Refused);
    };
    let user = account.user;
    let reserved = write_tx::<_, SignInError, _>(conn, |conn| {
        Ok(repo::users::reserve_sign_in_attempt(
            conn,
            user.id,
            now,
            SIGN_IN_ATTEMPTS,
            locked_until(now),
        )?)
    })?;
    let Some((_, locked)) = reserved else {
        let until = repo::users::locked_until(conn, user.id)?.unwrap_or_else(|| locked_until(now));
        return Err(SignInError::Locked(until));
    };
    // Argon2 takes tens of milliseconds: outside any transaction.
    if password.matches(&account.password_hash) && user.active {
        return Ok(user);
    }
    Err(match locked {
        Some(until) => SignInError::Locked(until),
        None => SignInError::Refused,
    })
}

/// Who a web request acts as: audited under the user's username.
pub fn actor_of(user: &User) -> Actor {
    Actor {
        token_id: None,
        name: format!("user:{}", user.username),
        role: user.role,
    }
}

/// The session a cookie secret names, if it is live: its user and anti-forgery token. Touches it.
pub fn session(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    secret: &str,
) -> Result<Option<(User, String)>, StorageError> {
    let hash = TokenHash::of(secret).0;
    let Some((user, csrf, seen)) = repo::users::session(conn, &hash)? else {
        return Ok(None);
    };
    if session_expired(seen, now) || !user.active {
        repo::users::delete_session(conn, &hash)?;
        return Ok(None);
    }
    // One write a minute at most per session.
    if now - seen > chrono::Duration::minutes(1) {
        repo::users::touch_session(conn, &hash, now)?;
    }
    Ok(Some((user, csrf)))
}

pub fn sign_out(conn: &mut DbConnection, secret: &str) -> Result<(), StorageError> {
    Ok(repo::users::delete_session(conn, &TokenHash::of(secret).0)?)
}
