//! What both edges (the JSON API and the web app) reach from a request: the pool, the policy,
//! the metrics, the outbox's wake-up and the queue for password checks.

use crate::config::ServerSettings;
use crate::db::DbPool;
use crate::domain::policy::Policy;
use crate::telemetry::Metrics;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub metrics: Metrics,
    /// The OpenAPI document, serialised once.
    pub openapi_json: String,
    /// Wakes this instance's email worker after a write (which may have queued an alert email
    /// in its transaction), so emails leave at once; wake-ups coalesce while it works.
    pub outbox_wake: std::sync::Arc<tokio::sync::Notify>,
    /// `ledger.max_backdate_days` and `forecast.*`.
    pub policy: Policy,
    /// Requests that check or set a password wait here, one per core, before they take a
    /// database connection: a burst of sign-ins queues without holding the pool (Argon2 itself
    /// runs at most one hash per core).
    pub password_checks: std::sync::Arc<tokio::sync::Semaphore>,
    /// `server.time_zone`: the pages' clock.
    pub zone: chrono_tz::Tz,
    /// `server.public_url` is https: the web app's cookies are `Secure`.
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(pool: DbPool, policy: Policy, openapi_json: String, server: &ServerSettings) -> AppState {
        AppState {
            pool,
            metrics: Metrics::new(),
            openapi_json,
            outbox_wake: Default::default(),
            policy,
            zone: server.zone(),
            secure_cookies: server.served_over_https(),
            password_checks: std::sync::Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        }
    }
}
