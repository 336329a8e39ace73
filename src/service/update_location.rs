use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::{Location, LocationChanges};
use crate::domain::ids::LocationId;
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self, is_unique_violation};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum UpdateLocationError {
    #[error("no location {0}")]
    NotFound(LocationId),
    #[error("a location with code {0} already exists")]
    DuplicateCode(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(UpdateLocationError);

pub fn update_location(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    id: LocationId,
    changes: LocationChanges,
) -> Result<Location, UpdateLocationError> {
    write_tx(conn, |conn| {
        let location = repo::locations::update(conn, id, &changes, now)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    UpdateLocationError::DuplicateCode(changes.code.clone().unwrap_or_default())
                } else {
                    e.into()
                }
            })?
            .ok_or(UpdateLocationError::NotFound(id))?;
        let mut fields = Vec::new();
        for (name, set) in [
            ("code", changes.code.is_some()),
            ("name", changes.name.is_some()),
            ("active", changes.active.is_some()),
        ] {
            if set {
                fields.push(name);
            }
        }
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "location.update",
                target_type: "location",
                target_id: id.to_string(),
                summary: format!("changed location {}: {}", location.code, fields.join(", ")),
            },
        )?;
        Ok(location)
    })
}
