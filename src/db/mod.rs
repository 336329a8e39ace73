//! Storage plumbing: one connection type over SQLite and PostgreSQL, its pool, its migrations
//! and the write-transaction helper every use-case runs in.

mod connection;
pub mod migrations;
mod pool;
pub mod schema;
pub mod write_queue;

pub use connection::{Backend, DbConnection};
pub use pool::{DbPool, PoolError, PooledConnection, StorageError};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;

/// Every use-case error can come from storage; this wires diesel's errors into it, so that
/// use-cases can `?` repository calls without naming diesel.
macro_rules! storage_errors {
    ($($error:ty),* $(,)?) => {$(
        impl From<diesel::result::Error> for $error {
            fn from(error: diesel::result::Error) -> Self {
                <$error>::Storage(crate::db::StorageError::from(error))
            }
        }
    )*};
}
pub(crate) use storage_errors;

/// Runs a read-only snapshot of the store: one transaction, REPEATABLE READ on PostgreSQL
/// (SQLite's read transaction is a snapshot already), safe beside running writers.
pub fn read_snapshot<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<StorageError>,
{
    use diesel::connection::SimpleConnection;
    transaction(conn, |conn| {
        if let DbConnection::Pg(_) = conn {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .map_err(StorageError::from)?;
        }
        work(conn)
    })
}

/// Runs `work` in one write transaction; inside another transaction it runs in a savepoint.
///
/// SQLite takes the database write lock up front (`BEGIN IMMEDIATE`), so concurrent writers
/// never fail with SQLITE_BUSY when they upgrade a read lock; writers of this process first
/// take their turn in the pool's fair queue (`write_queue`), other processes wait on the busy
/// timeout.
/// PostgreSQL uses an ordinary READ COMMITTED transaction; use-cases take the row locks they need.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<StorageError>,
{
    let DbConnection::Sqlite(sqlite) = conn else {
        return transaction(conn, work);
    };
    let depth = AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()
        .map_err(StorageError::from)?;
    if depth.is_some() {
        return transaction(conn, work);
    }
    let queue = write_queue::current();
    let _turn = queue.as_deref().map(write_queue::WriteQueue::enter);
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE").map_err(StorageError::from)?;
    let outcome = work(conn);
    if let DbConnection::Sqlite(sqlite) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(sqlite).map_err(StorageError::from)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(sqlite).map_err(StorageError::from)?,
        }
    }
    outcome
}

/// diesel's transaction (a savepoint when nested) for work whose errors know only `StorageError`.
fn transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<StorageError>,
{
    enum Failed<E> {
        Work(E),
        Storage(diesel::result::Error),
    }
    impl<E> From<diesel::result::Error> for Failed<E> {
        fn from(error: diesel::result::Error) -> Self {
            Failed::Storage(error)
        }
    }
    conn.transaction(|conn| work(conn).map_err(Failed::Work))
        .map_err(|failed| match failed {
            Failed::Work(e) => e,
            Failed::Storage(e) => StorageError::from(e).into(),
        })
}
