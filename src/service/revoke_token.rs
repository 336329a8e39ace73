use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::ids::TokenId;
use crate::domain::role::Role;
use crate::domain::token::{Actor, TokenInfo};
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum RevokeTokenError {
    #[error("no token {0}")]
    NotFound(TokenId),
    #[error("a token cannot revoke itself: use another admin token")]
    OwnToken,
    #[error("token {0} is the last active admin token; issue another admin token first")]
    LastAdmin(TokenId),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(RevokeTokenError);

/// Revokes a token for good; it answers 401 from the next request on. Revoking twice is
/// harmless and keeps the first revocation time.
pub fn revoke_token(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    id: TokenId,
) -> Result<TokenInfo, RevokeTokenError> {
    write_tx(conn, |conn| {
        // Nobody locks the service out of its own administration.
        if actor.token_id == Some(id) {
            return Err(RevokeTokenError::OwnToken);
        }
        let existing = repo::tokens::find(conn, id)?.ok_or(RevokeTokenError::NotFound(id))?;
        if existing.role == Role::Admin && existing.revoked_at.is_none() && repo::tokens::active_admins(conn)? <= 1 {
            return Err(RevokeTokenError::LastAdmin(id));
        }
        let token = repo::tokens::revoke(conn, id, now)?.ok_or(RevokeTokenError::NotFound(id))?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "token.revoke",
                target_type: "token",
                target_id: id.to_string(),
                summary: format!("revoked token {}", token.name),
            },
        )?;
        Ok(token)
    })
}
