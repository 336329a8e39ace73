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
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    let nested = AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()?
        .is_some();
    if nested {
        return conn.transaction(work);
    }
    let queue = write_queue::current();
    let _turn = queue.as_deref().map(write_queue::WriteQueue::enter);
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let outcome = work(conn);
    if let DbConnection::Sqlite(sqlite) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(sqlite)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(sqlite)?,
        }
    }
    outcome
}
