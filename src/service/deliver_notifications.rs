//! The outbox side of alert emails: claim what is due, record how each attempt went.

use chrono::{Duration, NaiveDateTime};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::alert::{retry_delay, NotificationStatus};
use crate::repo;
use crate::repo::notifications::{Claimed, Settlement};

/// Transient failures are retried this many times before the email is marked failed.
pub const MAX_ATTEMPTS: i32 = 25;

/// Claims due emails for `lease`: a worker that dies mid-send loses its claim when the lease
/// ends, and the email goes out from another pass.
pub fn claim_due(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Claimed>, StorageError> {
    write_tx(conn, |conn| {
        Ok(repo::notifications::claim(conn, now, now + lease, token, limit)?)
    })
}

/// Whether anything is due: asked before claiming, which takes a write transaction.
pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<bool, StorageError> {
    Ok(repo::notifications::any_due(conn, now)?)
}

/// How one attempt went.
pub enum Delivery {
    Sent,
    /// Worth retrying later (server down, mailbox busy…).
    Retry(String),
    Failed(String),
}

pub fn record_delivery(
    conn: &mut DbConnection,
    claimed: &Claimed,
    token: &str,
    recipients: &str,
    delivery: Delivery,
    now: NaiveDateTime,
    retry_base_seconds: u64,
) -> Result<bool, StorageError> {
    let (status, error, next, sent_at) = match delivery {
        Delivery::Sent => (NotificationStatus::Sent, None, now, Some(now)),
        Delivery::Retry(error) if claimed.attempts < MAX_ATTEMPTS => {
            let attempts = u32::try_from(claimed.attempts).unwrap_or(1);
            (
                NotificationStatus::Queued,
                Some(error),
                now + retry_delay(retry_base_seconds, attempts),
                None,
            )
        }
        Delivery::Retry(error) => (
            NotificationStatus::Failed,
            Some(format!("gave up after {MAX_ATTEMPTS} attempts: {error}")),
            now,
            None,
        ),
        Delivery::Failed(error) => (NotificationStatus::Failed, Some(error), now, None),
    };
    write_tx(conn, |conn| {
        let outcome = Settlement {
            status,
            recipients,
            error: error.as_deref(),
            next_attempt_at: next,
            sent_at,
        };
        Ok(repo::notifications::settle(conn, claimed.id, token, &outcome)?)
    })
}
