use diesel::prelude::*;

use crate::db::schema::audit_events;
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::token::Actor;

/// One write, as the audit log records it.
pub struct AuditEntry<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: String,
    pub summary: String,
}

/// Written in the same transaction as the change it records, so the log cannot miss a write.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    at: chrono::NaiveDateTime,
    entry: AuditEntry<'_>,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(at),
            audit_events::actor_token_id.eq(actor.token_id.map(|id| id.0)),
            audit_events::actor_name.eq(&actor.name),
            audit_events::actor_role.eq(actor.role.as_str()),
            audit_events::action.eq(entry.action),
            audit_events::target_type.eq(entry.target_type),
            audit_events::target_id.eq(&entry.target_id),
            audit_events::summary.eq(&entry.summary),
        ))
        .execute(conn)?;
    Ok(())
}

/// A recorded write, as the audit log shows it.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: chrono::NaiveDateTime,
    pub actor_token_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub summary: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub actor_name: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: crate::domain::page::PageRequest,
) -> QueryResult<crate::domain::page::Page<AuditEvent>> {
    let mut query = audit_events::table
        .into_boxed()
        .order(audit_events::id.asc())
        .limit(i64::from(page.limit) + 1);
    if let Some(after) = page.after {
        query = query.filter(audit_events::id.gt(after));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(target_type) = &filter.target_type {
        query = query.filter(audit_events::target_type.eq(target_type.clone()));
    }
    if let Some(target_id) = &filter.target_id {
        query = query.filter(audit_events::target_id.eq(target_id.clone()));
    }
    if let Some(actor) = &filter.actor_name {
        query = query.filter(audit_events::actor_name.eq(actor.clone()));
    }
    let (start, end) = super::day_bounds(filter.from, filter.to);
    if let Some(start) = start {
        query = query.filter(audit_events::occurred_at.ge(start));
    }
    if let Some(end) = end {
        query = query.filter(audit_events::occurred_at.lt(end));
    }
    let rows: Vec<AuditEvent> = query.load(conn)?;
    Ok(crate::domain::page::Page::from_rows(rows, page, |e| e.id))
}
