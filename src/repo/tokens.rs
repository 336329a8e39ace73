use diesel::prelude::*;

use chrono::NaiveDateTime;

use super::corrupt;
use crate::db::schema::api_tokens;
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::TokenId;
use crate::domain::page::{Page, PageRequest};
use crate::domain::role::Role;
use crate::domain::token::{Actor, TokenHash, TokenInfo};

#[derive(Queryable)]
struct TokenRow {
    id: i64,
    name: String,
    role: String,
    _secret_hash: String,
    created_at: chrono::NaiveDateTime,
    revoked_at: Option<chrono::NaiveDateTime>,
}

impl TryFrom<TokenRow> for TokenInfo {
    type Error = diesel::result::Error;
    fn try_from(row: TokenRow) -> QueryResult<TokenInfo> {
        Ok(TokenInfo {
            id: TokenId(row.id),
            role: Role::parse(&row.role).ok_or_else(|| corrupt("role", &row.role))?,
            name: row.name,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        })
    }
}

pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    hash: &TokenHash,
    at: NaiveDateTime,
) -> QueryResult<TokenInfo> {
    let row: TokenRow = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(name),
            api_tokens::role.eq(role.as_str()),
            api_tokens::secret_hash.eq(&hash.0),
            api_tokens::created_at.eq(at),
        ))
        .returning(api_tokens::all_columns)
        .get_result(conn)?;
    row.try_into()
}

/// The live (unrevoked) token whose secret hashes to `hash`.
pub fn find_active_by_hash(conn: &mut DbConnection, hash: &TokenHash) -> QueryResult<Option<Actor>> {
    let found: Option<(i64, String, String)> = api_tokens::table
        .select((api_tokens::id, api_tokens::name, api_tokens::role))
        .filter(api_tokens::secret_hash.eq(&hash.0))
        .filter(api_tokens::revoked_at.is_null())
        .first(conn)
        .optional()?;
    found
        .map(|(id, name, role)| {
            let role = Role::parse(&role).ok_or_else(|| corrupt("role", &role))?;
            Ok(Actor {
                token_id: Some(TokenId(id)),
                name,
                role,
            })
        })
        .transpose()
}

pub fn find(conn: &mut DbConnection, id: TokenId) -> QueryResult<Option<TokenInfo>> {
    let row: Option<TokenRow> = api_tokens::table.find(id.0).first(conn).optional()?;
    row.map(TokenInfo::try_from).transpose()
}

pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Page<TokenInfo>> {
    let mut query = api_tokens::table
        .into_boxed()
        .order(api_tokens::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(api_tokens::id.gt(after));
    }
    let rows: Vec<TokenRow> = query.load(conn)?;
    let tokens = rows
        .into_iter()
        .map(TokenInfo::try_from)
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(Page::from_rows(tokens, page, |t| t.id.0))
}

/// Marks the token revoked; a token already revoked keeps its first revocation time.
pub fn revoke(conn: &mut DbConnection, id: TokenId, at: NaiveDateTime) -> QueryResult<Option<TokenInfo>> {
    diesel::update(api_tokens::table.find(id.0).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(at))
        .execute(conn)?;
    find(conn, id)
}

/// Admin tokens not revoked.
pub fn active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    api_tokens::table
        .filter(api_tokens::role.eq(Role::Admin.as_str()))
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result(conn)
}

/// Counts every token ever issued, revoked ones included.
pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    api_tokens::table.count().get_result(conn)
}

/// Serialises concurrent bootstraps of one database by several instances.
pub fn lock_for_bootstrap(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Pg(_) = conn {
        // SQLite's write transaction already holds the database lock.
        diesel::sql_query("LOCK TABLE api_tokens IN SHARE ROW EXCLUSIVE MODE").execute(conn)?;
    }
    Ok(())
}
