use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::SupplierId;
use crate::domain::supply::{Supplier, SupplierChanges};
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self, is_unique_violation};

use super::evaluate_alerts;

#[derive(Debug, thiserror::Error)]
pub enum UpdateSupplierError {
    #[error("no supplier {0}")]
    NotFound(SupplierId),
    #[error("a supplier with code {0} already exists")]
    DuplicateCode(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(UpdateSupplierError);

pub fn update_supplier(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    id: SupplierId,
    changes: SupplierChanges,
) -> Result<Supplier, UpdateSupplierError> {
    write_tx(conn, |conn| {
        if let Some(code) = &changes.code {
            if repo::suppliers::id_by_code(conn, code)?.is_some_and(|other| other != id) {
                return Err(UpdateSupplierError::DuplicateCode(code.clone()));
            }
        }
        let supplier = repo::suppliers::update(conn, id, &changes, now)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    UpdateSupplierError::DuplicateCode(changes.code.clone().unwrap_or_default())
                } else {
                    e.into()
                }
            })?
            .ok_or(UpdateSupplierError::NotFound(id))?;
        if changes.lead_time_days.is_some() {
            // The lead time moves the alert window of every item bought here.
            let items = repo::forecast::items_of_supplier(conn, id)?;
            evaluate_alerts::evaluate_projected_stockouts(conn, Some(&items), forecast, now)?;
        }
        let fields: Vec<&str> = [
            ("code", changes.code.is_some()),
            ("name", changes.name.is_some()),
            ("lead_time_days", changes.lead_time_days.is_some()),
            ("email", changes.email.is_some()),
            ("active", changes.active.is_some()),
        ]
        .iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| *name)
        .collect();
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "supplier.update",
                target_type: "supplier",
                target_id: id.to_string(),
                summary: format!("changed supplier {}: {}", supplier.code, fields.join(", ")),
            },
        )?;
        Ok(supplier)
    })
}
