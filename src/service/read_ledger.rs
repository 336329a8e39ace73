//! Reads of patients, lots, movements and the audit log.

use crate::db::DbConnection;
use crate::domain::cold_chain::Excursion;
use crate::domain::ids::{ExcursionId, LocationId, LotId, MovementId, PatientId};
use crate::domain::ledger::{Lot, Movement, MovementFilter, SerialEvent, SerialRecord};
use crate::domain::page::{Page, PageRequest};
use crate::domain::patient::{Patient, PatientFilter};
use crate::repo;
use crate::repo::audit::{AuditEvent, AuditFilter};
use crate::repo::lots::LotFilter;

use super::read_catalog::ReadError;

pub fn get_patient(conn: &mut DbConnection, id: PatientId) -> Result<Patient, ReadError> {
    repo::patients::find(conn, id)?.ok_or(ReadError::NotFound)
}

pub fn list_patients(
    conn: &mut DbConnection,
    filter: &PatientFilter,
    page: PageRequest,
) -> Result<Page<Patient>, ReadError> {
    Ok(repo::patients::list(conn, filter, page)?)
}

pub fn get_lot(conn: &mut DbConnection, id: LotId) -> Result<Lot, ReadError> {
    repo::lots::find(conn, id)?.ok_or(ReadError::NotFound)
}

/// Where each of the lot's serialised packs is.
pub fn lot_serials(conn: &mut DbConnection, id: LotId) -> Result<Vec<SerialRecord>, ReadError> {
    Ok(repo::serials::of_lot(conn, id)?)
}

/// Every item's pack with this serial, where it is and each ledger line that moved it.
pub fn serial_history(
    conn: &mut DbConnection,
    serial: &str,
) -> Result<Vec<(SerialRecord, Vec<SerialEvent>)>, ReadError> {
    let found = repo::serials::named(conn, serial)?;
    if found.is_empty() {
        return Err(ReadError::NotFound);
    }
    found
        .into_iter()
        .map(|record| {
            let history = repo::serials::history(conn, record.item_id, &record.serial)?;
            Ok((record, history))
        })
        .collect()
}

pub fn get_excursion(conn: &mut DbConnection, id: ExcursionId) -> Result<Excursion, ReadError> {
    repo::excursions::find(conn, id)?.ok_or(ReadError::NotFound)
}

pub fn list_excursions(
    conn: &mut DbConnection,
    location: Option<LocationId>,
    open: Option<bool>,
    page: PageRequest,
) -> Result<Page<Excursion>, ReadError> {
    Ok(repo::excursions::list(conn, location, open, page)?)
}

pub fn list_lots(conn: &mut DbConnection, filter: &LotFilter, page: PageRequest) -> Result<Page<Lot>, ReadError> {
    Ok(repo::lots::list(conn, filter, page)?)
}

pub fn get_movement(conn: &mut DbConnection, id: MovementId) -> Result<Movement, ReadError> {
    repo::movements::find(conn, id)?.ok_or(ReadError::NotFound)
}

pub fn list_movements(
    conn: &mut DbConnection,
    filter: &MovementFilter,
    page: PageRequest,
) -> Result<Page<Movement>, ReadError> {
    Ok(repo::movements::list(conn, filter, page)?)
}

pub fn list_audit(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEvent>, ReadError> {
    Ok(repo::audit::list(conn, filter, page)?)
}

pub fn list_thresholds(
    conn: &mut DbConnection,
    page: PageRequest,
) -> Result<Page<crate::domain::alert::Threshold>, ReadError> {
    Ok(repo::thresholds::list(conn, page)?)
}

pub fn get_alert(
    conn: &mut DbConnection,
    id: crate::domain::ids::AlertId,
) -> Result<crate::domain::alert::Alert, ReadError> {
    repo::alerts::find(conn, id)?.ok_or(ReadError::NotFound)
}

pub fn list_alerts(
    conn: &mut DbConnection,
    filter: &repo::alerts::AlertFilter,
    page: PageRequest,
) -> Result<Page<crate::domain::alert::Alert>, ReadError> {
    Ok(repo::alerts::list(conn, filter, page)?)
}

pub fn list_notifications(
    conn: &mut DbConnection,
    alert: Option<crate::domain::ids::AlertId>,
    page: PageRequest,
) -> Result<Page<repo::notifications::NotificationRecord>, ReadError> {
    Ok(repo::notifications::list(conn, alert, page)?)
}
