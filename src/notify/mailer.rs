//! Sending with lettre: SMTP (none, STARTTLS or TLS, optional auth) or one `.eml` file per
//! message. One enum, chosen once from the configuration.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailSettings, EmailTransport, SmtpSecurity};

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// Why a message was not sent: worth retrying, or not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

/// A message to send.
pub struct Outgoing<'a> {
    /// Stable across retries, so a receiver can tell a resend from a new email.
    pub message_id: String,
    pub from: &'a Mailbox,
    pub to: &'a [Mailbox],
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

impl Mailer {
    pub fn from_settings(email: &EmailSettings) -> Result<Mailer, String> {
        match email.transport {
            EmailTransport::File => {
                std::fs::create_dir_all(&email.file_dir)
                    .map_err(|e| format!("email.file_dir: cannot create {}: {e}", email.file_dir))?;
                Ok(Mailer::File(AsyncFileTransport::<Tokio1Executor>::new(&email.file_dir)))
            }
            EmailTransport::Smtp => {
                let smtp = &email.smtp;
                let builder = match smtp.security {
                    SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
                    SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                        .map_err(|e| format!("email.smtp.host: {e}"))?,
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .map_err(|e| format!("email.smtp.host: {e}"))?,
                };
                let mut builder = builder
                    .port(smtp.port)
                    .timeout(Some(Duration::from_secs(smtp.timeout_seconds.max(1))));
                if !smtp.username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        smtp.username.clone(),
                        smtp.password.expose().to_owned(),
                    ));
                }
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }

    pub async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendError> {
        let mut builder = Message::builder()
            .message_id(Some(message.message_id.clone()))
            .from(message.from.clone())
            .subject(message.subject);
        for to in message.to {
            builder = builder.to(to.clone());
        }
        let email = builder
            .multipart(MultiPart::alternative_plain_html(
                message.text.to_owned(),
                message.html.to_owned(),
            ))
            .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
        match self {
            Mailer::Smtp(transport) => transport.send(email).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Mailer::File(transport) => transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Transient(e.to_string())),
        }
    }
}
