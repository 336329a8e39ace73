use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::is_unique_violation;
use crate::db::schema::idempotency_keys;
use crate::db::DbConnection;

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub method: String,
    pub path: String,
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
}

pub fn find(conn: &mut DbConnection, owner: &str, key: &str) -> QueryResult<Option<StoredResponse>> {
    let row: Option<(String, String, String, i32, String, Option<String>)> = idempotency_keys::table
        .find((owner, key))
        .select((
            idempotency_keys::method,
            idempotency_keys::path,
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::body,
            idempotency_keys::response_location,
        ))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(method, path, request_hash, status, body, location)| StoredResponse {
            method,
            path,
            request_hash,
            status: u16::try_from(status).unwrap_or(500),
            body,
            location,
        }),
    )
}

/// Stores a response under its key; `false` when another request stored one first.
pub fn insert(
    conn: &mut DbConnection,
    owner: &str,
    key: &str,
    response: &StoredResponse,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::owner.eq(owner),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::method.eq(&response.method),
            idempotency_keys::path.eq(&response.path),
            idempotency_keys::request_hash.eq(&response.request_hash),
            idempotency_keys::status.eq(i32::from(response.status)),
            idempotency_keys::body.eq(&response.body),
            idempotency_keys::response_location.eq(&response.location),
            idempotency_keys::created_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Fills in the response of a key claimed earlier in this transaction.
pub fn complete(conn: &mut DbConnection, owner: &str, key: &str, response: &StoredResponse) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((owner, key)))
        .set((
            idempotency_keys::status.eq(i32::from(response.status)),
            idempotency_keys::body.eq(&response.body),
            idempotency_keys::response_location.eq(&response.location),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets keys stored before `cutoff`.
pub fn purge_before(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff))).execute(conn)
}

/// Forgets one key (a claim whose request recorded nothing).
pub fn delete(conn: &mut DbConnection, owner: &str, key: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((owner, key))).execute(conn)?;
    Ok(())
}
