use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::{Location, NewLocation};
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self, is_unique_violation};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum CreateLocationError {
    #[error("a location with code {0} already exists")]
    DuplicateCode(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(CreateLocationError);

pub fn create_location(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    new: NewLocation,
) -> Result<Location, CreateLocationError> {
    write_tx(conn, |conn| {
        let location = repo::locations::insert(conn, &new, now).map_err(|e| {
            if is_unique_violation(&e) {
                CreateLocationError::DuplicateCode(new.code.clone())
            } else {
                e.into()
            }
        })?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "location.create",
                target_type: "location",
                target_id: location.id.to_string(),
                summary: format!("created location {} ({})", location.code, location.name),
            },
        )?;
        Ok(location)
    })
}
