//! The background worker of each instance: every `alerts.scan_interval_seconds` it scans for
//! expiry and sends reminders; whenever woken (after a write) or due, it drains the outbox.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use rand::RngCore;
use tokio::sync::Notify;

use super::email::{compose, EmailContent};
use super::mailer::{Mailer, Outgoing, SendError};
use crate::clock::now;
use crate::config::Settings;
use crate::db::DbPool;
use crate::domain::email_facts::AlertFacts;
use crate::domain::forecast::ForecastPolicy;
use crate::domain::mailbox::mailbox;
use crate::repo::notifications::Claimed;
use crate::service::deliver_notifications::{any_due, claim_due, record_delivery, Delivery};
use crate::service::scan_alerts::{scan_for_expiry, send_reminders};

const BATCH: i64 = 20;

pub struct Worker {
    pool: DbPool,
    mailer: Mailer,
    from: Mailbox,
    recipients: Vec<Mailbox>,
    scan_every: Duration,
    reminder_after: chrono::Duration,
    warning_days: u32,
    forecast: ForecastPolicy,
    /// Longer than one SMTP exchange can take, so a live worker never loses its claim.
    lease: chrono::Duration,
    wake: Arc<Notify>,
    /// `server.time_zone`: the clock emails show times on.
    zone: chrono_tz::Tz,
}

impl Worker {
    /// The email's words: composed from the facts its alert recorded, on the pharmacy's clock
    /// (an email queued before facts were kept carries its words).
    fn words(&self, email: &Claimed) -> Result<EmailContent, String> {
        match &email.facts {
            Some(facts) => serde_json::from_str::<AlertFacts>(facts)
                .map(|facts| compose(&facts, self.zone))
                .map_err(|e| format!("the email's facts cannot be read: {e}")),
            None => Ok(EmailContent {
                subject: email.subject.clone(),
                text: email.body_text.clone(),
                html: email.body_html.clone(),
            }),
        }
    }

    pub fn new(settings: &Settings, pool: DbPool, wake: Arc<Notify>) -> Result<Worker, String> {
        let email = &settings.email;
        let from = mailbox(&email.from).map_err(|e| format!("email.from: {e}"))?;
        let recipients = email
            .recipients
            .iter()
            .map(|r| mailbox(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("email.recipients: {e}"))?;
        let reminder_ms = (settings.alerts.reminder_hours * 3_600_000.0).round() as i64;
        Ok(Worker {
            pool,
            mailer: Mailer::from_settings(email)?,
            from,
            recipients,
            scan_every: Duration::from_secs(settings.alerts.scan_interval_seconds),
            reminder_after: chrono::Duration::milliseconds(reminder_ms.max(1)),
            warning_days: settings.alerts.expiry_warning_days,
            forecast: settings.policy().forecast,
            lease: chrono::Duration::seconds(2 * settings.email.smtp.timeout_seconds.max(1) as i64 + 10),
            wake,
            zone: settings.server.zone(),
        })
    }

    pub async fn run(self) {
        let mut next_scan = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= next_scan {
                self.scan().await;
                next_scan = tokio::time::Instant::now() + self.scan_every;
            }
            self.drain().await;
            tokio::select! {
                _ = tokio::time::sleep_until(next_scan) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    async fn scan(&self) {
        let warning_days = self.warning_days;
        let forecast = self.forecast;
        match self
            .pool
            .run(move |c| scan_for_expiry(c, warning_days, forecast, now()))
            .await
        {
            Ok(0) => {}
            Ok(opened) => tracing::info!(opened, "expiry alerts opened"),
            Err(error) => tracing::warn!(%error, "expiry scan failed; retrying at the next interval"),
        }
        let every = self.reminder_after;
        match self.pool.run(move |c| send_reminders(c, every, forecast, now())).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "alert reminders queued"),
            Err(error) => tracing::warn!(%error, "reminders failed; retrying at the next interval"),
        }
    }

    /// Sends every due email, a batch at a time.
    async fn drain(&self) {
        match self.pool.run(|c| any_due(c, now())).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                tracing::warn!(%error, "outbox unavailable; retrying later");
                return;
            }
        }
        let mut bytes = [0u8; 12];
        rand::rng().fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        loop {
            let claim_token = token.clone();
            let lease = self.lease;
            let claimed = match self
                .pool
                .run(move |c| claim_due(c, &claim_token, now(), lease, BATCH))
                .await
            {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "outbox unavailable; retrying later");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            for email in claimed {
                let delivery = if self.recipients.is_empty() {
                    Delivery::Failed("no recipients configured (email.recipients)".into())
                } else {
                    match self.words(&email) {
                        Err(e) => Delivery::Failed(e),
                        Ok(words) => {
                            let outgoing = Outgoing {
                                message_id: format!("<notification-{}.{}@mipstock>", email.id, email.created_micros()),
                                from: &self.from,
                                to: &self.recipients,
                                subject: &words.subject,
                                text: &words.text,
                                html: &words.html,
                            };
                            match self.mailer.send(&outgoing).await {
                                Ok(()) => Delivery::Sent,
                                Err(SendError::Transient(e)) => Delivery::Retry(e),
                                Err(SendError::Permanent(e)) => Delivery::Failed(e),
                            }
                        }
                    }
                };
                match &delivery {
                    Delivery::Sent => tracing::info!(notification = email.id, "alert email sent"),
                    Delivery::Retry(e) => {
                        tracing::warn!(notification = email.id, attempts = email.attempts, error = %e, "alert email not sent; will retry")
                    }
                    Delivery::Failed(e) => tracing::error!(notification = email.id, error = %e, "alert email failed"),
                }
                let recipients: Vec<String> = self.recipients.iter().map(|m| m.email.to_string()).collect();
                let recipients = recipients.join(",");
                let token = token.clone();
                let base = self.scan_every.as_secs().max(1);
                let recorded = self
                    .pool
                    .run(move |c| record_delivery(c, &email, &token, &recipients, delivery, now(), base))
                    .await;
                if let Err(error) = recorded {
                    // The lease expires and another pass retries it.
                    tracing::warn!(%error, "outcome of an email could not be recorded");
                    return;
                }
            }
        }
    }
}
