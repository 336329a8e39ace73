//! Changing a user: display name, role, active (disabling signs nobody in any more), password.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::Named;
use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::domain::token::Actor;
use crate::domain::user::{User, UserChanges};
use crate::repo;
use crate::repo::audit::{self, AuditEntry};

#[derive(Debug, thiserror::Error)]
pub enum UpdateUserError {
    #[error("no user {0}")]
    NotFound(UserId),
    #[error("user {0} is the last active admin: make another user admin first")]
    LastAdmin(UserId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(UpdateUserError);

pub fn update_user(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    id: UserId,
    changes: UserChanges,
) -> Result<User, UpdateUserError> {
    let hash = changes.password.as_ref().map(|p| p.hash());
    write_tx(conn, |conn| {
        let before = repo::users::find(conn, id)?.ok_or(UpdateUserError::NotFound(id))?;
        // Two admins demoting each other at once: one at a time (PostgreSQL).
        let demotes = before.role == Role::Admin
            && (changes.active == Some(false) || changes.role.is_some_and(|r| r != Role::Admin));
        if demotes {
            repo::users::lock_admins(conn)?;
        }
        let mut said = Vec::new();
        if let Some(name) = &changes.display_name {
            repo::users::set_display_name(conn, id, name, now)?;
            said.push(format!("display name {name}"));
        }
        if let Some(role) = changes.role {
            repo::users::set_role(conn, id, role, now)?;
            said.push(format!("role {}", role.as_str()));
        }
        if let Some(active) = changes.active {
            repo::users::set_active(conn, id, active, now)?;
            said.push(if active { "enabled" } else { "disabled" }.to_owned());
        }
        if let Some(hash) = &hash {
            repo::users::set_password(conn, id, hash, now)?;
            said.push("password changed".to_owned());
        }
        if demotes && repo::users::active_admins(conn)? == 0 {
            return Err(UpdateUserError::LastAdmin(id));
        }
        // A new password or a disabled account: whoever is signed in with it is signed out.
        if hash.is_some() || changes.active == Some(false) {
            let ended = repo::users::end_sessions(conn, id, None)?;
            said.push(format!("{ended} session(s) ended"));
        }
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "user.update",
                target_type: "user",
                target_id: id.to_string(),
                summary: format!("changed user {id}: {}", said.join(", ")),
            },
        )?;
        repo::users::find(conn, id)?
            .ok_or_else(|| StorageError::Invariant(format!("user {id} vanished inside its own transaction")).into())
    })
}
