use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::catalog::{Item, ItemChanges};
use crate::domain::forecast::ForecastPolicy;
use crate::domain::ids::ItemId;
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::{self};
use chrono::NaiveDateTime;

use super::create_item::{check_supplier, duplicate, CreateItemError};
use super::evaluate_alerts;

#[derive(Debug, thiserror::Error)]
pub enum UpdateItemError {
    #[error("no item {0}")]
    NotFound(ItemId),
    #[error("an item with code {0} already exists")]
    DuplicateCode(String),
    #[error("one of the GTINs already belongs to another item")]
    DuplicateGtin,
    #[error("no such supplier")]
    UnknownSupplier,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(UpdateItemError);

impl From<CreateItemError> for UpdateItemError {
    fn from(error: CreateItemError) -> Self {
        match error {
            CreateItemError::DuplicateCode(code) => UpdateItemError::DuplicateCode(code),
            CreateItemError::DuplicateGtin => UpdateItemError::DuplicateGtin,
            CreateItemError::UnknownSupplier => UpdateItemError::UnknownSupplier,
            CreateItemError::Storage(e) => UpdateItemError::Storage(e),
        }
    }
}

/// Edits an item; deactivation (`active: false`) is how an item leaves the catalog, since
/// the ledger keeps referring to it.
pub fn update_item(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    forecast: ForecastPolicy,
    id: ItemId,
    changes: ItemChanges,
) -> Result<Item, UpdateItemError> {
    write_tx(conn, |conn| {
        check_supplier(conn, changes.supplier_id.flatten())?;
        let code = changes.code.clone().unwrap_or_default();
        let item = repo::items::update(conn, id, &changes, now)?
            .map_err(|d| UpdateItemError::from(duplicate(d, &code)))?
            .ok_or(UpdateItemError::NotFound(id))?;
        // Its supplier, pack size or activity move its projection.
        evaluate_alerts::evaluate_projected_stockouts(conn, Some(&[id]), forecast, now)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "item.update",
                target_type: "item",
                target_id: id.to_string(),
                summary: format!("changed item {}: {}", item.code, changed_fields(&changes)),
            },
        )?;
        Ok(item)
    })
}

fn changed_fields(changes: &ItemChanges) -> String {
    let fields = [
        ("code", changes.code.is_some()),
        ("name", changes.name.is_some()),
        ("category", changes.category.is_some()),
        ("unit", changes.unit.is_some()),
        ("gtins", changes.gtins.is_some()),
        ("storage", changes.storage.is_some()),
        ("active", changes.active.is_some()),
        ("supplier_id", changes.supplier_id.is_some()),
        ("pack_size", changes.pack_size.is_some()),
        ("shelf_life_days", changes.shelf_life_days.is_some()),
    ];
    let named: Vec<&str> = fields.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect();
    if named.is_empty() {
        "nothing".into()
    } else {
        named.join(", ")
    }
}
