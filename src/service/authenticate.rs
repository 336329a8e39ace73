use crate::db::{DbConnection, StorageError};
use crate::domain::token::{Actor, TokenHash};
use crate::repo;

#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    /// Unknown and revoked tokens are the same failure: the caller learns nothing.
    #[error("invalid token")]
    Invalid,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(AuthenticateError);

pub fn authenticate(conn: &mut DbConnection, presented: &str) -> Result<Actor, AuthenticateError> {
    repo::tokens::find_active_by_hash(conn, &TokenHash::of(presented))?.ok_or(AuthenticateError::Invalid)
}
