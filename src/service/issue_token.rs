use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::Named;
use crate::domain::role::Role;
use crate::domain::token::{Actor, TokenInfo, TokenSecret};
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum IssueTokenError {
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(IssueTokenError);

/// A new token and its secret, which exists only in this return value.
pub struct IssuedToken {
    pub info: TokenInfo,
    pub secret: TokenSecret,
}

pub fn issue_token(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    name: &str,
    role: Role,
) -> Result<IssuedToken, IssueTokenError> {
    write_tx(conn, |conn| issue_in_tx(conn, actor, now, name, role))
}

pub(super) fn issue_in_tx(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    name: &str,
    role: Role,
) -> Result<IssuedToken, IssueTokenError> {
    let secret = TokenSecret::generate();
    let info = repo::tokens::insert(conn, name, role, &secret.hash(), now)?;
    audit::record(
        conn,
        actor,
        now,
        AuditEntry {
            action: "token.create",
            target_type: "token",
            target_id: info.id.to_string(),
            summary: format!("issued {} token {}", role.as_str(), info.name),
        },
    )?;
    Ok(IssuedToken { info, secret })
}
