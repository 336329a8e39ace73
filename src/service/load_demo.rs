use crate::db::{DbConnection, StorageError};
use crate::domain::catalog::{LocationFilter, NewLocation};
use crate::domain::page::{PageRequest, MAX_LIMIT};
use crate::domain::token::Actor;

use super::create_location::{create_location, CreateLocationError};
use super::read_catalog::{list_locations, ReadError};

#[derive(Debug, thiserror::Error)]
pub enum LoadDemoError {
    #[error("cannot create a demo location: {0}")]
    Location(#[from] CreateLocationError),
    #[error("cannot read locations: {0}")]
    Read(#[from] ReadError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

const DEMO_LOCATIONS: [(&str, &str); 2] = [
    ("CENTRAL", "Central pharmacy store"),
    ("WARD-FRIDGE", "Diabetology ward fridge"),
];

/// Loads demo data through the same use-cases as the API; returns what it did.
/// Locations already present (by code) are left alone, so a second run changes nothing.
pub fn load_demo(conn: &mut DbConnection) -> Result<String, LoadDemoError> {
    let actor = Actor {
        token_id: None,
        name: "demo".into(),
        role: crate::domain::role::Role::Admin,
    };
    let existing = list_locations(
        conn,
        &LocationFilter::default(),
        PageRequest {
            after: None,
            limit: MAX_LIMIT,
        },
    )?;
    let mut created = 0;
    for (code, name) in DEMO_LOCATIONS {
        if existing.items.iter().any(|l| l.code == code) {
            continue;
        }
        create_location(
            conn,
            &actor,
            NewLocation {
                code: code.into(),
                name: name.into(),
                active: true,
            },
        )?;
        created += 1;
    }
    Ok(format!("{created} demo location(s) created"))
}
