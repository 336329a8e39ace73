use diesel::prelude::*;

use super::now;
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
pub fn record(conn: &mut DbConnection, actor: &Actor, entry: AuditEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(now()),
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
