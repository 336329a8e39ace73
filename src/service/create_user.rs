//! A person who will sign in to the web app; only the password's Argon2id hash is kept.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::Named;
use crate::domain::token::Actor;
use crate::domain::user::{NewUser, User};
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self, is_unique_violation};

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("a user named {0} already exists")]
    DuplicateUsername(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(CreateUserError);

pub fn create_user(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    new: NewUser,
) -> Result<User, CreateUserError> {
    // Hashing takes tens of milliseconds: outside the write transaction.
    let hash = new.password.hash();
    write_tx(conn, |conn| {
        if repo::users::id_by_username(conn, &new.username)?.is_some() {
            return Err(CreateUserError::DuplicateUsername(new.username.clone()));
        }
        let user = repo::users::insert(conn, &new.username, &new.display_name, new.role, &hash, now).map_err(|e| {
            if is_unique_violation(&e) {
                CreateUserError::DuplicateUsername(new.username.clone())
            } else {
                e.into()
            }
        })?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "user.create",
                target_type: "user",
                target_id: user.id.to_string(),
                summary: format!("created {} user {}", user.role.as_str(), user.username),
            },
        )?;
        Ok(user)
    })
}
