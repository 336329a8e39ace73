//! The scheduled part of alerting: the expiry scan and reminders of unacknowledged alerts.

use chrono::{Duration, NaiveDateTime};

use crate::db::{write_tx, DbConnection, StorageError};
use crate::repo;

use super::evaluate_alerts::{queue_email, scan_expiry};

/// Raises and resolves expiry alerts; returns how many opened.
pub fn scan_for_expiry(conn: &mut DbConnection, warning_days: u32, now: NaiveDateTime) -> Result<usize, StorageError> {
    write_tx(conn, |conn| scan_expiry(conn, warning_days, now))
}

/// Emails again every open alert nobody acknowledged for `every`; returns how many. Each
/// reminder is claimed by moving the alert's last-emailed time, so instances never both send.
pub fn send_reminders(conn: &mut DbConnection, every: Duration, now: NaiveDateTime) -> Result<usize, StorageError> {
    write_tx(conn, |conn| {
        let mut sent = 0;
        for (alert, last) in repo::alerts::due_reminders(conn, now - every)? {
            if repo::alerts::mark_notified(conn, alert, last, now)? {
                queue_email(conn, alert, true, now)?;
                sent += 1;
            }
        }
        Ok(sent)
    })
}
