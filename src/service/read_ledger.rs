//! Reads of patients, lots, movements and the audit log.

use crate::db::DbConnection;
use crate::domain::ids::{LotId, MovementId, PatientId};
use crate::domain::ledger::{Lot, Movement, MovementFilter};
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
