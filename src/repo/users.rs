//! People who sign in to the web app.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Timestamp};

use super::{corrupt, on_backend};
use crate::db::schema::{sessions, users};
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

/// What a sign-in checks of an account.
pub struct Credentials {
    pub user: User,
    pub password_hash: PasswordHash,
    pub failed_sign_ins: i32,
    pub locked_until: Option<NaiveDateTime>,
}

pub fn credentials(conn: &mut DbConnection, username: &str) -> QueryResult<Option<Credentials>> {
    let row: Option<(Row, String, i32, Option<NaiveDateTime>)> = users::table
        .filter(users::username.eq(username))
        .select((
            select(),
            users::password_hash,
            users::failed_sign_ins,
            users::locked_until,
        ))
        .first(conn)
        .optional()?;
    row.map(|(row, hash, failed, locked)| {
        Ok(Credentials {
            user: user(row)?,
            password_hash: PasswordHash(hash),
            failed_sign_ins: failed,
            locked_until: locked,
        })
    })
    .transpose()
}

/// Records a sign-in's outcome: the failed count and the lock (both reset on success).
pub fn set_sign_in_state(
    conn: &mut DbConnection,
    id: UserId,
    failed: i32,
    locked_until: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(users::table.find(id.0))
        .set((users::failed_sign_ins.eq(failed), users::locked_until.eq(locked_until)))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_session(
    conn: &mut DbConnection,
    secret_hash: &str,
    user: UserId,
    csrf_token: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::secret_hash.eq(secret_hash),
            sessions::user_id.eq(user.0),
            sessions::csrf_token.eq(csrf_token),
            sessions::created_at.eq(at),
            sessions::last_seen_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A session's user, anti-forgery token and when it was last used.
pub fn session(conn: &mut DbConnection, secret_hash: &str) -> QueryResult<Option<(User, String, NaiveDateTime)>> {
    let row: Option<(Row, String, NaiveDateTime)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::secret_hash.eq(secret_hash))
        .select((select(), sessions::csrf_token, sessions::last_seen_at))
        .first(conn)
        .optional()?;
    row.map(|(row, csrf, seen)| Ok((user(row)?, csrf, seen))).transpose()
}

pub fn touch_session(conn: &mut DbConnection, secret_hash: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(secret_hash))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

pub fn delete_session(conn: &mut DbConnection, secret_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(secret_hash))
        .execute(conn)
        .map(|_| ())
}

/// Ends every session of the user (but `keep`, the one a change is made from).
pub fn end_sessions(conn: &mut DbConnection, user: UserId, keep: Option<&str>) -> QueryResult<usize> {
    let of_user = sessions::table.filter(sessions::user_id.eq(user.0));
    match keep {
        Some(keep) => diesel::delete(of_user.filter(sessions::secret_hash.ne(keep))).execute(conn),
        None => diesel::delete(of_user).execute(conn),
    }
}

#[derive(QueryableByName)]
struct Attempt {
    #[diesel(sql_type = Integer)]
    failed_sign_ins: i32,
    #[diesel(sql_type = Nullable<Timestamp>)]
    locked_until: Option<NaiveDateTime>,
}

/// Counts one sign-in attempt before its password is checked, in one conditional statement, so
/// that however many arrive at once at most `attempts` are checked per lock: the one that
/// reaches `attempts` locks the account until `lock_until`. A lock that has run out starts the
/// count again. `None` while the account is locked (nothing is counted).
pub fn reserve_sign_in_attempt(
    conn: &mut DbConnection,
    id: UserId,
    now: NaiveDateTime,
    attempts: i32,
    lock_until: NaiveDateTime,
) -> QueryResult<Option<(i32, Option<NaiveDateTime>)>> {
    let counted = "CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_sign_ins + 1 END";
    let sql = format!(
        "UPDATE users SET failed_sign_ins = {counted}, \
         locked_until = CASE WHEN {counted} >= ? THEN ? ELSE NULL END \
         WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?) \
         RETURNING failed_sign_ins, locked_until"
    );
    let row: Option<Attempt> = on_backend!(conn, &sql, |q, c| q
        .bind::<Integer, _>(attempts)
        .bind::<Timestamp, _>(lock_until)
        .bind::<BigInt, _>(id.0)
        .bind::<Timestamp, _>(now)
        .get_result(c)
        .optional())?;
    Ok(row.map(|a| (a.failed_sign_ins, a.locked_until)))
}

/// Until when the account is locked, if it is.
pub fn locked_until(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<NaiveDateTime>> {
    users::table.find(id.0).select(users::locked_until).first(conn)
}

/// Serialises changes that may remove an admin (PostgreSQL; SQLite's write transaction holds
/// the database), so that the last active admin check cannot be raced.
pub fn lock_admins(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Pg(_)) {
        on_backend!(
            conn,
            "SELECT pg_advisory_xact_lock(hashtext('mipstock.users.admins'))",
            |q, c| q.execute(c)
        )?;
    }
    Ok(())
}

/// How many active users have the admin role.
pub fn active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(Role::Admin.as_str()))
        .count()
        .get_result(conn)
}
