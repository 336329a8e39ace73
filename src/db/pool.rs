use std::time::Duration;

use diesel::r2d2::{self, ManageConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use std::sync::Arc;

use super::connection::redact_url;
use super::write_queue::{self, WriteQueue};
use super::{Backend, DbConnection};

/// A pool of connections to whichever backend `database.url` names.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    /// SQLite only, when on: this process's writers enter one at a time, in arrival order.
    write_queue: Option<Arc<WriteQueue>>,
}

pub type PoolError = r2d2::PoolError;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// What storage can fail with, as far as callers care: either the database cannot be reached
/// (the request may be retried later: 503) or something else went wrong (500).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Query(DieselError),
    /// The store contradicts what this very transaction wrote or read: a bug, never a reason
    /// to retry (500, not 503).
    #[error("broken invariant: {0}")]
    Invariant(String),
}

impl From<DieselError> for StorageError {
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | DieselError::BrokenTransactionManager => StorageError::Unavailable(error.to_string()),
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) if is_connection_message(info.message()) => {
                StorageError::Unavailable(error.to_string())
            }
            _ => StorageError::Query(error),
        }
    }
}

fn is_connection_message(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "server closed the connection",
        "terminating connection",
        "connection",
        "database is locked",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

impl From<PoolError> for StorageError {
    fn from(error: PoolError) -> Self {
        StorageError::Unavailable(error.to_string())
    }
}

/// Opens connections for the pool, choosing the backend from the URL so that connection errors
/// are the backend's own (diesel's derived `establish` would try each backend in turn).
#[derive(Debug)]
pub struct ConnectionManager {
    backend: Backend,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.backend.connect().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

impl DbPool {
    /// Builds the pool lazily: the service starts even while PostgreSQL is still coming up,
    /// and `/readyz` tells when it can be used.
    pub fn new(url: &str, max_size: u32, connect_timeout: Duration) -> Result<DbPool, String> {
        Self::with_write_queue(url, max_size, connect_timeout, true)
    }

    /// `write_queue`: queue SQLite writers in the process (`database.sqlite_write_queue`).
    pub fn with_write_queue(
        url: &str,
        max_size: u32,
        connect_timeout: Duration,
        write_queue: bool,
    ) -> Result<DbPool, String> {
        let backend = Backend::from_url(url)?;
        if let Backend::Sqlite { path } = &backend {
            if let Some(parent) = std::path::Path::new(path).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create the directory of {}: {e}", redact_url(url)))?;
                }
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(0))
            .connection_timeout(connect_timeout)
            .test_on_check_out(false)
            .build_unchecked(ConnectionManager {
                backend: backend.clone(),
            });
        let write_queue = (write_queue && matches!(backend, Backend::Sqlite { .. })).then(Default::default);
        Ok(DbPool {
            pool,
            backend,
            write_queue,
        })
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Runs blocking diesel work on the blocking thread pool, never on the async executor.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let pool = self.clone();
        let joined = tokio::task::spawn_blocking(move || pool.run_blocking(work)).await;
        joined.unwrap_or_else(|join_error| {
            Err(StorageError::Unavailable(format!("database task failed: {join_error}")).into())
        })
    }

    /// Runs `work` on this thread with a connection, its write transactions in this pool's
    /// queue: for threads of their own (the benchmark's SQLite ceiling), never on the executor.
    pub fn run_blocking<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<StorageError>,
    {
        let _scope = write_queue::scope(self.write_queue.clone());
        let mut conn = self.pool.get().map_err(StorageError::from)?;
        work(&mut conn)
    }

    /// A blocking checkout, for the command line where there is no executor to protect.
    pub fn get(&self) -> Result<PooledConnection, StorageError> {
        Ok(self.pool.get()?)
    }

    /// Whether the database answers now, within `timeout`.
    pub fn is_ready(&self, timeout: Duration) -> bool {
        match self.pool.get_timeout(timeout) {
            Ok(mut conn) => conn.ping().is_ok(),
            Err(_) => false,
        }
    }
}
