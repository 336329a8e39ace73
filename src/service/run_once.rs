//! `Idempotency-Key`: a request applied once per key. The key is claimed, the work done and its
//! response stored in one transaction, so a crash can neither apply without storing nor store
//! without applying. Only applied requests are stored: a refused one (4xx) leaves the key free,
//! so the same key with a corrected body is applied.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::repo::idempotency as store;
pub use crate::repo::idempotency::StoredResponse;

/// Who sent which key for which request.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub owner: String,
    pub key: String,
    pub method: String,
    pub path: String,
    pub request_hash: String,
}

impl IdempotencyClaim {
    pub fn stored(&self, status: u16, body: String, location: Option<String>) -> StoredResponse {
        StoredResponse {
            method: self.method.clone(),
            path: self.path.clone(),
            request_hash: self.request_hash.clone(),
            status,
            body,
            location,
        }
    }

    /// Whether a stored response answered this same request (same method, path and body).
    pub fn matches(&self, stored: &StoredResponse) -> bool {
        stored.method == self.method && stored.path == self.path && stored.request_hash == self.request_hash
    }
}

pub enum Once<T> {
    /// Applied now; its response was stored.
    Applied(T),
    /// Applied before: the stored response.
    Replay(StoredResponse),
}

#[derive(Debug, thiserror::Error)]
pub enum RunOnceError<E> {
    #[error("a request with this Idempotency-Key is in progress")]
    InProgress,
    #[error(transparent)]
    Work(E),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

enum Failure<E> {
    Work(E),
    Storage(StorageError),
    /// Another request with this key committed first (PostgreSQL): read its answer.
    Raced,
}

impl<E> From<StorageError> for Failure<E> {
    fn from(error: StorageError) -> Self {
        Failure::Storage(error)
    }
}

/// Runs `work` once for `claim`; `work` returns its result and the response to keep.
pub fn run_once<T, E>(
    conn: &mut DbConnection,
    claim: &IdempotencyClaim,
    now: NaiveDateTime,
    work: impl FnOnce(&mut DbConnection) -> Result<(T, StoredResponse), E>,
) -> Result<Once<T>, RunOnceError<E>> {
    let outcome = write_tx(conn, |conn| {
        if let Some(stored) = store::find(conn, &claim.owner, &claim.key).map_err(StorageError::from)? {
            return Ok(Once::Replay(stored));
        }
        // Claim the key first: a concurrent repeat waits on this row until we commit.
        let placeholder = claim.stored(202, String::new(), None);
        if !store::insert(conn, &claim.owner, &claim.key, &placeholder, now).map_err(StorageError::from)? {
            return Err(Failure::Raced);
        }
        let (result, stored) = work(conn).map_err(Failure::Work)?;
        store::complete(conn, &claim.owner, &claim.key, &stored).map_err(StorageError::from)?;
        Ok(Once::Applied(result))
    });
    match outcome {
        Ok(once) => Ok(once),
        Err(Failure::Work(e)) => Err(RunOnceError::Work(e)),
        Err(Failure::Storage(e)) => Err(RunOnceError::Storage(e)),
        Err(Failure::Raced) => match store::find(conn, &claim.owner, &claim.key).map_err(StorageError::from)? {
            Some(stored) => Ok(Once::Replay(stored)),
            None => Err(RunOnceError::InProgress),
        },
    }
}
