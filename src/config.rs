//! Configuration: compiled-in defaults (config/default.toml), then an optional `--config` file,
//! then `MIPSTOCK__SECTION__KEY` environment variables.

use std::net::ToSocketAddrs;
use std::path::Path;

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use serde::{Deserialize, Deserializer};

use crate::db::Backend;
use crate::domain::mailbox::mailbox;

const DEFAULTS: &str = include_str!("../config/default.toml");
const ENV_PREFIX: &str = "MIPSTOCK__";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub email: EmailSettings,
    pub alerts: AlertSettings,
    pub ledger: LedgerSettings,
    pub forecast: ForecastSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastSettings {
    pub review_days: u32,
    pub safety_days: u32,
}

impl Settings {
    /// The configured rules every write applies.
    pub fn policy(&self) -> crate::domain::policy::Policy {
        crate::domain::policy::Policy {
            backdate: self.ledger.backdate_policy(),
            forecast: crate::domain::forecast::ForecastPolicy {
                review_days: self.forecast.review_days,
                safety_days: self.forecast.safety_days,
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSettings {
    /// A movement dated further back than this many days needs the admin role.
    pub max_backdate_days: u32,
}

impl LedgerSettings {
    pub fn backdate_policy(&self) -> crate::domain::time::BackdatePolicy {
        crate::domain::time::BackdatePolicy {
            max_days: self.max_backdate_days,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub workers: usize,
    pub max_body_bytes: usize,
    /// A request body must arrive within this many seconds (else 408).
    pub body_timeout_seconds: u64,
    pub shutdown_timeout_seconds: u64,
    /// The web app's address as users reach it (empty: not said); `https://…` makes its cookies
    /// `Secure`.
    pub public_url: String,
    /// The pharmacy's time zone: pages and emails show times in it (the API stays UTC).
    pub time_zone: String,
}

impl ServerSettings {
    /// `server.time_zone`, checked at load.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris)
    }

    /// Whether users reach the web app over HTTPS (its cookies are then `Secure`).
    pub fn served_over_https(&self) -> bool {
        self.public_url.trim().to_ascii_lowercase().starts_with("https://")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub auto_migrate: bool,
    pub pool_size: u32,
    pub connect_timeout_seconds: u64,
    /// SQLite: queue this process's writers, one at a time in arrival order.
    pub sqlite_write_queue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransport {
    File,
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub transport: EmailTransport,
    pub file_dir: String,
    pub from: String,
    #[serde(deserialize_with = "list_or_commas")]
    pub recipients: Vec<String>,
    pub smtp: SmtpSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: Secret,
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    pub expiry_warning_days: u32,
    /// Hours; fractions allowed (tests use seconds).
    pub reminder_hours: f64,
    pub scan_interval_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

/// A value that must never reach a log: `Debug` prints `***`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// A configuration problem, naming the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    fn new(key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            key: key.into(),
            message: message.into(),
        }
    }
}

fn list_or_commas<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrText {
        List(Vec<String>),
        Text(String),
    }
    Ok(match ListOrText::deserialize(deserializer)? {
        ListOrText::List(list) => list,
        ListOrText::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
    })
}

impl Settings {
    /// Defaults, then `file`, then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_from(file, Env::prefixed(ENV_PREFIX).split("__"))
    }

    fn load_from(file: Option<&Path>, env: Env) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::new(
                    "--config",
                    format!("no such file: {}", path.display()),
                ));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let settings: Settings = figment.merge(env).extract().map_err(|e| from_figment(&e))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let resolves = self
            .server
            .bind
            .to_socket_addrs()
            .is_ok_and(|mut addrs| addrs.next().is_some());
        if !resolves {
            return Err(ConfigError::new(
                "server.bind",
                format!("not an address:port: {:?}", self.server.bind),
            ));
        }
        if self.server.body_timeout_seconds == 0 {
            return Err(ConfigError::new("server.body_timeout_seconds", "must be at least 1"));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(ConfigError::new("server.max_body_bytes", "must be at least 1024"));
        }
        Backend::from_url(self.database.url.expose()).map_err(|m| ConfigError::new("database.url", m))?;
        if self.server.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ConfigError::new(
                "server.time_zone",
                format!(
                    "{:?} is not an IANA time zone, e.g. Europe/Paris",
                    self.server.time_zone
                ),
            ));
        }
        let url = self.server.public_url.trim().to_ascii_lowercase();
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(ConfigError::new(
                "server.public_url",
                "must start with https:// or http://",
            ));
        }
        if self.database.pool_size == 0 {
            return Err(ConfigError::new("database.pool_size", "must be at least 1"));
        }
        if self.database.connect_timeout_seconds == 0 {
            return Err(ConfigError::new(
                "database.connect_timeout_seconds",
                "must be at least 1",
            ));
        }
        // The parser the mailer uses, so an address it would refuse fails here, at start.
        mailbox(&self.email.from)
            .map_err(|e| ConfigError::new("email.from", format!("{e}; e.g. mipstock <mipstock@hospital.example>")))?;
        for recipient in &self.email.recipients {
            mailbox(recipient).map_err(|e| ConfigError::new("email.recipients", e))?;
        }
        for (key, days) in [
            ("forecast.review_days", self.forecast.review_days),
            ("forecast.safety_days", self.forecast.safety_days),
        ] {
            if days > 365 {
                return Err(ConfigError::new(key, "must be at most 365"));
            }
        }
        if self.alerts.scan_interval_seconds == 0 {
            return Err(ConfigError::new("alerts.scan_interval_seconds", "must be at least 1"));
        }
        if !(self.alerts.reminder_hours.is_finite() && self.alerts.reminder_hours > 0.0) {
            return Err(ConfigError::new(
                "alerts.reminder_hours",
                "must be a positive number of hours",
            ));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(ConfigError::new(
                "log.level",
                format!("not a log filter: {:?}", self.log.level),
            ));
        }
        Ok(())
    }
}

fn from_figment(error: &figment::Error) -> ConfigError {
    let mut path = error.path.clone();
    let field = match &error.kind {
        figment::error::Kind::UnknownField(field, _) => Some(field.to_string()),
        figment::error::Kind::MissingField(field) => Some(field.to_string()),
        _ => None,
    };
    if let Some(field) = field {
        if path.last() != Some(&field) {
            path.push(field);
        }
    }
    let key = if path.is_empty() {
        "configuration".to_owned()
    } else {
        path.join(".")
    };
    let message = match &error.kind {
        figment::error::Kind::UnknownField(..) => "unknown key".to_owned(),
        kind => kind.to_string(),
    };
    ConfigError::new(&key, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::result_large_err)] // figment's Jail fixes the closure's error type
    fn load_with(env: &[(&str, &str)], file: Option<&str>) -> Result<Settings, ConfigError> {
        let mut outcome = None;
        figment::Jail::expect_with(|jail| {
            for (k, v) in env {
                jail.set_env(k, v);
            }
            let path = match file {
                Some(text) => {
                    jail.create_file("override.toml", text)?;
                    Some(std::path::PathBuf::from("override.toml"))
                }
                None => None,
            };
            outcome = Some(Settings::load_from(
                path.as_deref(),
                Env::prefixed(ENV_PREFIX).split("__"),
            ));
            Ok(())
        });
        outcome.expect("the jail ran")
    }

    #[test]
    fn defaults_match_the_operations_contract() {
        let s = load_with(&[], None).unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert_eq!(s.database.url.expose(), "sqlite://data/mipstock.db");
        assert!(s.database.auto_migrate);
        assert_eq!(s.email.transport, EmailTransport::File);
        assert_eq!(s.email.file_dir, "data/outbox");
        assert_eq!(s.email.from, "mipstock <mipstock@localhost>");
        assert!(s.email.recipients.is_empty());
        assert_eq!((s.email.smtp.host.as_str(), s.email.smtp.port), ("localhost", 25));
        assert_eq!(s.email.smtp.security, SmtpSecurity::None);
        assert_eq!(s.alerts.expiry_warning_days, 90);
        assert_eq!(s.alerts.reminder_hours, 24.0);
        assert_eq!(s.alerts.scan_interval_seconds, 60);
        assert_eq!(s.ledger.max_backdate_days, 7);
        assert_eq!((s.forecast.review_days, s.forecast.safety_days), (28, 14));
    }

    #[test]
    fn a_bad_email_address_fails_at_load_naming_its_key() {
        let e = load_with(
            &[(
                "MIPSTOCK__EMAIL__RECIPIENTS",
                "pharmacy@hospital.example, not-an-address",
            )],
            None,
        )
        .unwrap_err();
        assert_eq!(e.key, "email.recipients");
        assert!(e.message.contains("not-an-address"), "{}", e.message);
        let e = load_with(&[("MIPSTOCK__EMAIL__FROM", "mipstock <@>")], None).unwrap_err();
        assert_eq!(e.key, "email.from");
    }

    #[test]
    fn file_then_environment_override() {
        let s = load_with(
            &[
                ("MIPSTOCK__EMAIL__SMTP__PORT", "2525"),
                ("MIPSTOCK__EMAIL__RECIPIENTS", "a@x.org, b@x.org"),
            ],
            Some("[server]\nbind = \"0.0.0.0:9000\"\n[email.smtp]\nport = 587\nsecurity = \"starttls\"\n"),
        )
        .unwrap();
        assert_eq!(s.server.bind, "0.0.0.0:9000");
        assert_eq!(s.email.smtp.port, 2525);
        assert_eq!(s.email.smtp.security, SmtpSecurity::Starttls);
        assert_eq!(s.email.recipients, vec!["a@x.org", "b@x.org"]);
    }

    #[test]
    fn errors_name_the_key() {
        let e = load_with(&[("MIPSTOCK__SERVER__BIND", "nowhere")], None).unwrap_err();
        assert_eq!(e.key, "server.bind");
        let e = load_with(&[("MIPSTOCK__EMAIL__SMTP__PORT", "seventy")], None).unwrap_err();
        assert_eq!(e.key, "email.smtp.port");
        let e = load_with(&[("MIPSTOCK__EMAIL__SMTP__SECURITY", "ssl")], None).unwrap_err();
        assert_eq!(e.key, "email.smtp.security");
        let e = load_with(&[("MIPSTOCK__DATABASE__URL", "mysql://x")], None).unwrap_err();
        assert_eq!(e.key, "database.url");
        let e = load_with(&[], Some("[server]\nbindd = \"x\"\n")).unwrap_err();
        assert_eq!(e.key, "server.bindd");
        assert!(e.to_string().starts_with("invalid configuration: server.bindd"));
    }

    #[test]
    fn secrets_do_not_print() {
        let s = load_with(&[("MIPSTOCK__EMAIL__SMTP__PASSWORD", "hunter2")], None).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
