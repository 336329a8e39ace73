use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::{Item, NewItem};
use crate::domain::ids::SupplierId;
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::items::Duplicate;
use crate::repo::{self};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum CreateItemError {
    #[error("an item with code {0} already exists")]
    DuplicateCode(String),
    #[error("one of the GTINs already belongs to another item")]
    DuplicateGtin,
    #[error("no such supplier")]
    UnknownSupplier,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(CreateItemError);

pub fn create_item(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    new: NewItem,
) -> Result<Item, CreateItemError> {
    write_tx(conn, |conn| {
        check_supplier(conn, new.ordering.supplier_id)?;
        let item = repo::items::insert(conn, &new, now)?.map_err(|d| duplicate(d, &new.code))?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "item.create",
                target_type: "item",
                target_id: item.id.to_string(),
                summary: format!("created item {} ({})", item.code, item.name),
            },
        )?;
        Ok(item)
    })
}

pub(super) fn duplicate(which: Duplicate, code: &str) -> CreateItemError {
    match which {
        Duplicate::Gtin => CreateItemError::DuplicateGtin,
        Duplicate::Code => CreateItemError::DuplicateCode(code.to_owned()),
    }
}

/// An item may only name a supplier that exists.
pub(super) fn check_supplier(conn: &mut DbConnection, supplier: Option<SupplierId>) -> Result<(), CreateItemError> {
    match supplier {
        Some(id) if repo::suppliers::find(conn, id)?.is_none() => Err(CreateItemError::UnknownSupplier),
        _ => Ok(()),
    }
}
