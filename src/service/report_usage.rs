//! Usage per patient, across patients, and per lot (recall): read from the ledger, net of
//! returns and of reversed movements.

use chrono::NaiveDate;

use crate::db::DbConnection;
use crate::domain::ids::{LotId, PatientId};
use crate::domain::ledger::Lot;
use crate::domain::page::{Page, PageRequest};
use crate::domain::patient::Patient;
use crate::domain::usage::{recipients, Recipient, UsageEntry};
use crate::repo;
use crate::repo::usage::UsageQuery;

use super::read_catalog::ReadError;

/// One patient's dispensations and returns over a period.
pub fn patient_usage(
    conn: &mut DbConnection,
    patient: PatientId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Patient, Vec<UsageEntry>), ReadError> {
    let found = repo::patients::find(conn, patient)?.ok_or(ReadError::NotFound)?;
    let entries = repo::usage::entries(
        conn,
        &UsageQuery {
            patient: Some(patient),
            lot: None,
            from,
            to,
        },
    )?;
    Ok((found, entries))
}

/// Every patient's dispensations and returns over a period.
pub fn usage_report(
    conn: &mut DbConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<UsageEntry>, ReadError> {
    Ok(repo::usage::entries(
        conn,
        &UsageQuery {
            patient: None,
            lot: None,
            from,
            to,
        },
    )?)
}

/// Everyone who still holds units of `lot`, a page of patients at a time.
pub fn lot_recipients(conn: &mut DbConnection, lot: LotId, page: PageRequest) -> Result<Page<Recipient>, ReadError> {
    repo::lots::find(conn, lot)?.ok_or(ReadError::NotFound)?;
    let entries = repo::usage::entries(
        conn,
        &UsageQuery {
            lot: Some(lot),
            ..UsageQuery::default()
        },
    )?;
    let rows: Vec<Recipient> = recipients(&entries)
        .into_iter()
        .filter(|r| page.after.is_none_or(|after| r.patient_id.0 > after))
        .take(page.limit as usize + 1)
        .collect();
    Ok(Page::from_rows(rows, page, |r| r.patient_id.0))
}

/// A recall by lot number: every lot with that number (one per item), with its item's name and
/// every patient who holds some of it.
pub fn recall(conn: &mut DbConnection, lot_number: &str) -> Result<Vec<(Lot, String, Vec<Recipient>)>, ReadError> {
    let everyone = PageRequest {
        after: None,
        limit: 1_000_000,
    };
    let mut found = Vec::new();
    for lot in repo::lots::numbered(conn, lot_number.trim())? {
        let item = repo::items::find(conn, lot.item_id)?
            .map(|i| i.name)
            .unwrap_or_default();
        let holders = lot_recipients(conn, lot.id, everyone)?.items;
        found.push((lot, item, holders));
    }
    Ok(found)
}
