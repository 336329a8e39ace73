//! People who sign in to the web app.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::corrupt;
use crate::db::schema::users;
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::ids::UserId;
use crate::domain::page::{Page, PageRequest};
use crate::domain::role::Role;
use crate::domain::user::{PasswordHash, User};

type Row = (i64, String, String, String, bool, NaiveDateTime);

fn select() -> (
    users::id,
    users::username,
    users::display_name,
    users::role,
    users::active,
    users::created_at,
) {
    (
        users::id,
        users::username,
        users::display_name,
        users::role,
        users::active,
        users::created_at,
    )
}

fn user(row: Row) -> QueryResult<User> {
    let (id, username, display_name, role, active, created_at) = row;
    Ok(User {
        id: UserId(id),
        username,
        display_name,
        role: Role::parse(&role).ok_or_else(|| corrupt("user role", &role))?,
        active,
        created_at,
    })
}

pub fn insert(
    conn: &mut DbConnection,
    username: &str,
    display_name: &str,
    role: Role,
    hash: &PasswordHash,
    at: NaiveDateTime,
) -> QueryResult<User> {
    let row: Row = diesel::insert_into(users::table)
        .values((
            users::username.eq(username),
            users::display_name.eq(display_name),
            users::role.eq(role.as_str()),
            users::password_hash.eq(&hash.0),
            users::active.eq(true),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .returning(select())
        .get_result(conn)?;
    user(row)
}

pub fn find(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<User>> {
    let row: Option<Row> = users::table.find(id.0).select(select()).first(conn).optional()?;
    row.map(user).transpose()
}

pub fn id_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<UserId>> {
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first::<i64>(conn)
        .optional()
        .map(|id| id.map(UserId))
}

pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Page<User>> {
    let mut query = users::table
        .select(select())
        .order(users::id)
        .limit(i64::from(page.limit) + 1)
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(users::id.gt(after));
    }
    let rows: Vec<Row> = query.load(conn)?;
    let users = rows.into_iter().map(user).collect::<QueryResult<Vec<User>>>()?;
    Ok(Page::from_rows(users, page, |u| u.id.0))
}

pub fn set_display_name(conn: &mut DbConnection, id: UserId, name: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id.0))
        .set((users::display_name.eq(name), users::updated_at.eq(at)))
        .execute(conn)
        .map(|_| ())
}

pub fn set_role(conn: &mut DbConnection, id: UserId, role: Role, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id.0))
        .set((users::role.eq(role.as_str()), users::updated_at.eq(at)))
        .execute(conn)
        .map(|_| ())
}

pub fn set_active(conn: &mut DbConnection, id: UserId, active: bool, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id.0))
        .set((users::active.eq(active), users::updated_at.eq(at)))
        .execute(conn)
        .map(|_| ())
}

/// A new password also lifts a lock-out.
pub fn set_password(conn: &mut DbConnection, id: UserId, hash: &PasswordHash, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id.0))
        .set((
            users::password_hash.eq(&hash.0),
            users::failed_sign_ins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}
