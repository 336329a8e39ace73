//! Alert emails: their content, the mailer (lettre, SMTP or files) and the outbox worker.

pub mod email;
pub mod mailer;
pub mod worker;
