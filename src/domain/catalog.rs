//! Catalog items and locations as the rest of the system sees them.

use serde::{Deserialize, Serialize};

use super::gtin::Gtin;
use super::ids::{ItemId, LocationId, SupplierId};

/// What kind of MIP consumable an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemCategory {
    Catheter,
    FillKit,
    NaohSolution,
    BufferSolution,
    Insulin,
    Other,
}

/// How an item must be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    Room,
    Refrigerated,
}

/// Text forms of an enum, shared by the JSON edge and the database columns.
pub trait Named: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// "one of: a, b, c", for error messages.
    fn expected() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        format!("must be one of: {}", names.join(", "))
    }
}

impl Named for ItemCategory {
    const ALL: &'static [Self] = &[
        ItemCategory::Catheter,
        ItemCategory::FillKit,
        ItemCategory::NaohSolution,
        ItemCategory::BufferSolution,
        ItemCategory::Insulin,
        ItemCategory::Other,
    ];
    fn as_str(self) -> &'static str {
        match self {
            ItemCategory::Catheter => "catheter",
            ItemCategory::FillKit => "fill_kit",
            ItemCategory::NaohSolution => "naoh_solution",
            ItemCategory::BufferSolution => "buffer_solution",
            ItemCategory::Insulin => "insulin",
            ItemCategory::Other => "other",
        }
    }
}

impl Named for Storage {
    const ALL: &'static [Self] = &[Storage::Room, Storage::Refrigerated];
    fn as_str(self) -> &'static str {
        match self {
            Storage::Room => "room",
            Storage::Refrigerated => "refrigerated",
        }
    }
}

pub const CODE_MAX: usize = 64;
pub const NAME_MAX: usize = 200;
pub const UNIT_MAX: usize = 32;
pub const GTINS_MAX: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: ItemId,
    pub code: String,
    pub name: String,
    pub category: ItemCategory,
    pub unit: String,
    pub gtins: Vec<Gtin>,
    pub storage: Storage,
    pub active: bool,
    pub ordering: ItemOrdering,
}

/// How an item is bought: from whom, in what multiple, and how long a new lot typically lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemOrdering {
    pub supplier_id: Option<SupplierId>,
    /// The order multiple (≥ 1).
    pub pack_size: u32,
    pub shelf_life_days: Option<u32>,
}

impl Default for ItemOrdering {
    fn default() -> Self {
        ItemOrdering {
            supplier_id: None,
            pack_size: 1,
            shelf_life_days: None,
        }
    }
}

/// A validated item to create.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub code: String,
    pub name: String,
    pub category: ItemCategory,
    pub unit: String,
    pub gtins: Vec<Gtin>,
    pub storage: Storage,
    pub active: bool,
    pub ordering: ItemOrdering,
}

/// A validated partial update; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub category: Option<ItemCategory>,
    pub unit: Option<String>,
    pub gtins: Option<Vec<Gtin>>,
    pub storage: Option<Storage>,
    pub active: Option<bool>,
    /// `Some(None)` clears it.
    pub supplier_id: Option<Option<SupplierId>>,
    pub pack_size: Option<u32>,
    /// `Some(None)` clears it.
    pub shelf_life_days: Option<Option<u32>>,
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub category: Option<ItemCategory>,
    pub active: Option<bool>,
    /// Matches code, name or GTIN, case-insensitively.
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub id: LocationId,
    pub code: String,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewLocation {
    pub code: String,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct LocationChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct LocationFilter {
    pub active: Option<bool>,
    pub text: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_round_trip() {
        for category in ItemCategory::ALL {
            assert_eq!(ItemCategory::parse(category.as_str()), Some(*category));
            let json = serde_json::to_string(category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.as_str()));
        }
        for storage in Storage::ALL {
            assert_eq!(Storage::parse(storage.as_str()), Some(*storage));
        }
        assert_eq!(ItemCategory::parse("syringe"), None);
        assert!(Storage::expected().contains("room, refrigerated"));
    }
}
