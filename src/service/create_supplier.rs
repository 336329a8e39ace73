use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::supply::{NewSupplier, Supplier};
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self, is_unique_violation};

#[derive(Debug, thiserror::Error)]
pub enum CreateSupplierError {
    #[error("a supplier with code {0} already exists")]
    DuplicateCode(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(CreateSupplierError);

pub fn create_supplier(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    new: NewSupplier,
) -> Result<Supplier, CreateSupplierError> {
    write_tx(conn, |conn| {
        if repo::suppliers::id_by_code(conn, &new.code)?.is_some() {
            return Err(CreateSupplierError::DuplicateCode(new.code.clone()));
        }
        let supplier = repo::suppliers::insert(conn, &new, now).map_err(|e| {
            if is_unique_violation(&e) {
                CreateSupplierError::DuplicateCode(new.code.clone())
            } else {
                e.into()
            }
        })?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "supplier.create",
                target_type: "supplier",
                target_id: supplier.id.to_string(),
                summary: format!(
                    "created supplier {} ({}), lead time {} days",
                    supplier.code, supplier.name, supplier.lead_time_days
                ),
            },
        )?;
        Ok(supplier)
    })
}
