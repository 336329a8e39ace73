//! Reads of the catalog and of tokens: no transaction needed, one statement each.

use crate::db::{DbConnection, StorageError};
use crate::domain::catalog::{Item, ItemFilter, Location, LocationFilter};
use crate::domain::gs1::{Gs1Code, ScannedPack};
use crate::domain::gtin::Gtin;
use crate::domain::ids::{ItemId, LocationId, UserId};
use crate::domain::page::{Page, PageRequest};
use crate::domain::token::TokenInfo;
use crate::domain::user::User;
use crate::repo;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(ReadError);

pub fn get_item(conn: &mut DbConnection, id: ItemId) -> Result<Item, ReadError> {
    repo::items::find(conn, id)?.ok_or(ReadError::NotFound)
}

/// The catalog item a scanned GTIN names, if any.
pub fn item_by_gtin(conn: &mut DbConnection, gtin: &Gtin) -> Result<Option<ItemId>, ReadError> {
    Ok(repo::items::by_gtin(conn, gtin)?)
}

/// Matches scanned codes (keyed by their line) to catalog items and received lots.
pub fn identify_scans(
    conn: &mut DbConnection,
    codes: Vec<(usize, Gs1Code)>,
) -> Result<Vec<(usize, ScannedPack)>, ReadError> {
    let mut packs = Vec::with_capacity(codes.len());
    for (line, code) in codes {
        let item = repo::items::by_gtin(conn, &code.gtin)?;
        // A code without a lot number names its lot through its serial, once received.
        let lot = match (item, code.lot_number.as_deref(), code.serial.as_deref()) {
            (Some(item), Some(number), _) => repo::lots::id_by_number(conn, item, number)?,
            (Some(item), None, Some(serial)) => repo::serials::find(conn, item, serial)?.map(|s| s.lot_id),
            _ => None,
        };
        packs.push((line, ScannedPack { code, item, lot }));
    }
    Ok(packs)
}

pub fn list_items(conn: &mut DbConnection, filter: &ItemFilter, page: PageRequest) -> Result<Page<Item>, ReadError> {
    Ok(repo::items::list(conn, filter, page)?)
}

pub fn get_location(conn: &mut DbConnection, id: LocationId) -> Result<Location, ReadError> {
    repo::locations::find(conn, id)?.ok_or(ReadError::NotFound)
}

pub fn list_locations(
    conn: &mut DbConnection,
    filter: &LocationFilter,
    page: PageRequest,
) -> Result<Page<Location>, ReadError> {
    Ok(repo::locations::list(conn, filter, page)?)
}

pub fn list_users(conn: &mut DbConnection, page: PageRequest) -> Result<Page<User>, ReadError> {
    Ok(repo::users::list(conn, page)?)
}

pub fn get_user(conn: &mut DbConnection, id: UserId) -> Result<User, ReadError> {
    repo::users::find(conn, id)?.ok_or(ReadError::NotFound)
}

pub fn list_tokens(conn: &mut DbConnection, page: PageRequest) -> Result<Page<TokenInfo>, ReadError> {
    Ok(repo::tokens::list(conn, page)?)
}

pub fn list_procedures(conn: &mut DbConnection) -> Result<Vec<crate::domain::procedure::Procedure>, ReadError> {
    Ok(repo::procedures::list(conn)?)
}
