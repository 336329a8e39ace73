use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use super::{corrupt, on_backend};
use crate::db::schema::notifications;
use crate::db::DbConnection;
use crate::domain::alert::NotificationStatus;
use crate::domain::catalog::Named;
use crate::domain::ids::{AlertId, NotificationId};
use crate::domain::page::{Page, PageRequest};

/// Queues an alert's email: its subject now (the log shows it), the facts its words are
/// composed from when it leaves.
pub fn enqueue(
    conn: &mut DbConnection,
    alert: Option<AlertId>,
    subject: &str,
    facts: &str,
    at: NaiveDateTime,
) -> QueryResult<NotificationId> {
    let id: i64 = diesel::insert_into(notifications::table)
        .values((
            notifications::alert_id.eq(alert.map(|a| a.0)),
            notifications::recipients.eq(""),
            notifications::subject.eq(subject),
            notifications::body_text.eq(""),
            notifications::body_html.eq(""),
            notifications::facts.eq(Some(facts)),
            notifications::status.eq(NotificationStatus::Queued.as_str()),
            notifications::attempts.eq(0),
            notifications::next_attempt_at.eq(at),
            notifications::created_at.eq(at),
        ))
        .returning(notifications::id)
        .get_result(conn)?;
    Ok(NotificationId(id))
}

/// Whether an email is due and unclaimed: a plain read, so a worker woken for nothing costs no
/// write transaction.
pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<bool> {
    let due: Option<i64> = notifications::table
        .filter(notifications::status.eq(NotificationStatus::Queued.as_str()))
        .filter(notifications::next_attempt_at.le(now))
        .filter(
            notifications::claimed_until
                .is_null()
                .or(notifications::claimed_until.lt(now)),
        )
        .select(notifications::id)
        .first(conn)
        .optional()?;
    Ok(due.is_some())
}

/// An email claimed for sending.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Text)]
    pub body_text: String,
    #[diesel(sql_type = Text)]
    pub body_html: String,
    /// What the email says, as facts (emails queued before facts were kept have their words in
    /// `body_text` / `body_html`).
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub facts: Option<String>,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// When it was queued, in microseconds: with the id, a Message-ID unique to this database.
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
}

impl Claimed {
    pub fn created_micros(&self) -> i64 {
        self.created_at.and_utc().timestamp_micros()
    }
}

/// Claims up to `limit` due emails for this worker until `lease_until`, counting the attempt.
/// PostgreSQL skips rows another instance is claiming (`FOR UPDATE SKIP LOCKED`); SQLite's
/// write transaction serialises claimers.
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    token: &str,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let lock = if matches!(conn, DbConnection::Pg(_)) {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE notifications SET claim_token = ?, claimed_until = ?, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM notifications WHERE status = 'queued' AND next_attempt_at <= ? \
         AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?{lock}) \
RETURNING id, subject, body_text, body_html, facts, attempts, created_at"
    );
    on_backend!(conn, &sql, |q, c| q
        .bind::<Text, _>(token)
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c))
}

/// How an attempt ended, as recorded.
pub struct Settlement<'a> {
    pub status: NotificationStatus,
    pub recipients: &'a str,
    pub error: Option<&'a str>,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Records the outcome of a claimed attempt; ignored when the claim was lost (lease expired and
/// another worker took the row).
pub fn settle(conn: &mut DbConnection, id: i64, token: &str, outcome: &Settlement<'_>) -> QueryResult<bool> {
    let touched = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::claim_token.eq(token)),
    )
    .set((
        notifications::status.eq(outcome.status.as_str()),
        notifications::recipients.eq(outcome.recipients),
        notifications::last_error.eq(outcome.error),
        notifications::next_attempt_at.eq(outcome.next_attempt_at),
        notifications::sent_at.eq(outcome.sent_at),
        notifications::claim_token.eq(None::<String>),
        notifications::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(touched == 1)
}

/// A line of the email log.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    pub id: NotificationId,
    pub alert_id: Option<AlertId>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub status: NotificationStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A row of the email log as listed.
#[derive(Queryable, Selectable)]
#[diesel(table_name = notifications)]
struct LogRow {
    id: i64,
    alert_id: Option<i64>,
    recipients: String,
    subject: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
}

impl LogRow {
    fn into_record(self) -> QueryResult<NotificationRecord> {
        Ok(NotificationRecord {
            id: NotificationId(self.id),
            alert_id: self.alert_id.map(AlertId),
            recipients: self
                .recipients
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            subject: self.subject,
            status: NotificationStatus::parse(&self.status)
                .ok_or_else(|| corrupt("notification status", &self.status))?,
            attempts: self.attempts,
            last_error: self.last_error,
            created_at: self.created_at,
            sent_at: self.sent_at,
        })
    }
}

pub fn list(
    conn: &mut DbConnection,
    alert: Option<AlertId>,
    page: PageRequest,
) -> QueryResult<Page<NotificationRecord>> {
    let mut query = notifications::table
        .select(LogRow::as_select())
        .order(notifications::id.asc())
        .limit(i64::from(page.limit) + 1)
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(notifications::id.gt(after));
    }
    if let Some(alert) = alert {
        query = query.filter(notifications::alert_id.eq(alert.0));
    }
    let rows: Vec<LogRow> = query.load(conn)?;
    let records = rows
        .into_iter()
        .map(LogRow::into_record)
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(Page::from_rows(records, page, |n| n.id.0))
}
