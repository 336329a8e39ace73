//! Migrations are embedded in the binary, one tree per backend with identical names.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConnection;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the names applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration, newest first; returns the names reverted.
pub fn revert_all(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES)?,
    };
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// Names of the migrations applied so far.
pub fn applied(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let versions = match conn {
        DbConnection::Sqlite(c) => c.applied_migrations()?,
        DbConnection::Pg(c) => c.applied_migrations()?,
    };
    Ok(versions.iter().map(ToString::to_string).collect())
}
