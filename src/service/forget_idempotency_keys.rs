use chrono::{Duration, NaiveDateTime};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::repo;

/// Keys are promised for 24 hours; twice that leaves room for clients that retry late.
pub const RETENTION_HOURS: i64 = 48;

/// Forgets idempotency keys older than the retention; returns how many.
pub fn forget_idempotency_keys(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, StorageError> {
    write_tx(conn, |conn| {
        Ok(repo::idempotency::purge_before(
            conn,
            now - Duration::hours(RETENTION_HOURS),
        )?)
    })
}
