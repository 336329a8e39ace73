//! Building the running service from its settings: database, migrations, HTTP server.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};

use crate::api;
use crate::clock;
use crate::config::Settings;
use crate::db::{migrations, DbPool};
use crate::domain::token::TokenSecret;
use crate::notify::worker::Worker;
use crate::service::bootstrap_admin::bootstrap_admin;
use crate::service::forget_idempotency_keys::forget_idempotency_keys;
use crate::state::AppState;
use crate::web as pages;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(String),
    #[error("cannot apply migrations: {0}")]
    Migrations(String),
    #[error("cannot set up email: {0}")]
    Email(String),
    #[error("cannot listen on {address}: {cause}")]
    Bind { address: String, cause: std::io::Error },
}

/// Opens the pool named by `database.url` and, when `database.auto_migrate` is on, applies
/// pending migrations. Blocking: call it from a blocking context.
pub fn open_database(settings: &Settings) -> Result<DbPool, StartError> {
    let db = &settings.database;
    let pool = DbPool::with_write_queue(
        db.url.expose(),
        db.pool_size,
        Duration::from_secs(db.connect_timeout_seconds),
        db.sqlite_write_queue,
    )
    .map_err(StartError::Database)?;
    if db.auto_migrate {
        migrate(&pool)?;
    }
    Ok(pool)
}

/// Applies pending migrations; returns their names.
pub fn migrate(pool: &DbPool) -> Result<Vec<String>, StartError> {
    let mut conn = pool.get().map_err(|e| StartError::Database(e.to_string()))?;
    let applied = migrations::run_pending(&mut conn).map_err(|e| StartError::Migrations(e.to_string()))?;
    for name in &applied {
        tracing::info!(migration = %name, backend = pool.backend().name(), "migration applied");
    }
    Ok(applied)
}

/// A service ready to run: bound to its port, database prepared.
pub struct Application {
    server: Server,
    port: u16,
    pool: DbPool,
    bootstrap_token: Option<TokenSecret>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        let prepared = settings.clone();
        let (pool, bootstrap_token) = actix_web::rt::task::spawn_blocking(move || {
            let pool = open_database(&prepared)?;
            let mut conn = pool.get().map_err(|e| StartError::Database(e.to_string()))?;
            let token = bootstrap_admin(&mut conn, clock::now()).map_err(|e| StartError::Database(e.to_string()))?;
            drop(conn);
            Ok::<_, StartError>((pool, token))
        })
        .await
        .map_err(|e| StartError::Database(e.to_string()))??;

        let address = settings.server.bind.clone();
        let listener = TcpListener::bind(&address).map_err(|cause| StartError::Bind {
            address: address.clone(),
            cause,
        })?;
        let port = listener
            .local_addr()
            .map_err(|cause| StartError::Bind {
                address: address.clone(),
                cause,
            })?
            .port();

        if settings.email.recipients.is_empty() {
            tracing::warn!(
                "email.recipients is empty: alerts are recorded but their emails fail until it names at least one address"
            );
        }
        let state = web::Data::new(AppState::new(
            pool.clone(),
            settings.policy(),
            serde_json::to_string(&api::openapi::document()).unwrap_or_default(),
            &settings.server,
        ));
        let worker = Worker::new(&settings, pool.clone(), state.outbox_wake.clone()).map_err(StartError::Email)?;
        let body = api::extract::BodyLimits {
            max_bytes: settings.server.max_body_bytes,
            timeout: Duration::from_secs(settings.server.body_timeout_seconds),
        };
        let mut server = HttpServer::new(move || app(state.clone(), body))
            .shutdown_timeout(settings.server.shutdown_timeout_seconds);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server
            .listen(listener)
            .map_err(|cause| StartError::Bind { address, cause })?
            .run();
        actix_web::rt::spawn(housekeeping(pool.clone()));
        actix_web::rt::spawn(worker.run());
        Ok(Application {
            server,
            port,
            pool,
            bootstrap_token,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// The `bootstrap` admin secret when this start issued it (a database with no token yet).
    pub fn take_bootstrap_token(&mut self) -> Option<TokenSecret> {
        self.bootstrap_token.take()
    }

    /// Serves until SIGTERM/SIGINT, then lets requests in flight finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The whole application for one worker: both edges, the JSON API and the web app, over one
/// state, observed alike.
fn app(
    state: web::Data<AppState>,
    body: api::extract::BodyLimits,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .configure(|cfg| api::extract::configure_extractors(cfg, body))
        .configure(api::configure)
        .configure(pages::configure)
        .default_service(web::to(api::not_found))
        .wrap(from_fn(api::observe::observe))
}

/// Hourly chores that keep the database from growing without bound.
async fn housekeeping(pool: DbPool) {
    let mut hourly = actix_web::rt::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let forgotten = pool.run(|conn| forget_idempotency_keys(conn, clock::now())).await;
        match forgotten {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "idempotency keys past retention forgotten"),
            Err(error) => tracing::warn!(%error, "idempotency keys could not be forgotten"),
        }
    }
}
