//! The scheduled part of alerting: the expiry scan and reminders of unacknowledged alerts.

use chrono::{Duration, NaiveDateTime};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::forecast::ForecastPolicy;
use crate::repo;

use super::evaluate_alerts::{queue_email, scan_expiry};

/// Raises and resolves the alerts the date moves (expiry, thresholds, projected stockouts,
/// overdue orders); returns how many expiry alerts opened.
pub fn scan_for_expiry(
    conn: &mut DbConnection,
    warning_days: u32,
    policy: ForecastPolicy,
    now: NaiveDateTime,
) -> Result<usize, StorageError> {
    write_tx(conn, |conn| scan_expiry(conn, warning_days, policy, now))
}

/// Emails again every open alert nobody acknowledged for `every`; returns how many. Each
/// reminder is claimed by moving the alert's last-emailed time, so instances never both send.
pub fn send_reminders(
    conn: &mut DbConnection,
    every: Duration,
    policy: ForecastPolicy,
    now: NaiveDateTime,
) -> Result<usize, StorageError> {
    write_tx(conn, |conn| {
        let mut sent = 0;
        for (alert, last) in repo::alerts::due_reminders(conn, now - every)? {
            if repo::alerts::mark_notified(conn, alert, last, now)? {
                queue_email(conn, alert, true, policy, now)?;
                sent += 1;
            }
        }
        Ok(sent)
    })
}
