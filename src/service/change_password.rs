//! A person changing their own password from the web app: the current one first (a wrong one
//! counts towards the sign-in lock), then the new hash, and every other session of theirs ends.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::token::TokenHash;
use crate::domain::user::{Password, User};
use crate::repo;
use crate::repo::audit::{self, AuditEntry};

use super::sign_in::{actor_of, verified, SignInError};

#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("too many failed attempts: try again after {0} (UTC)")]
    Locked(NaiveDateTime),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(ChangePasswordError);

/// `session_secret` is the session the change is made from: it stays signed in.
pub fn change_password(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    user: &User,
    session_secret: &str,
    current: &Password,
    new: &Password,
) -> Result<(), ChangePasswordError> {
    match verified(conn, now, &user.username, current) {
        Ok(_) => {}
        Err(SignInError::Refused) => return Err(ChangePasswordError::WrongPassword),
        Err(SignInError::Locked(until)) => return Err(ChangePasswordError::Locked(until)),
        Err(SignInError::Storage(e)) => return Err(e.into()),
    }
    // Hashing takes tens of milliseconds: outside the write transaction.
    let hash = new.hash();
    write_tx(conn, |conn| {
        repo::users::set_password(conn, user.id, &hash, now)?;
        let ended = repo::users::end_sessions(conn, user.id, Some(&TokenHash::of(session_secret).0))?;
        audit::record(
            conn,
            &actor_of(user),
            now,
            AuditEntry {
                action: "user.password_changed",
                target_type: "user",
                target_id: user.id.to_string(),
                summary: format!(
                    "{} changed their password; {ended} other session(s) ended",
                    user.username
                ),
            },
        )?;
        Ok(())
    })
}
