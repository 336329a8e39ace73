use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{utc, List, PageParams};
use super::problem::Problem;
use super::AppState;
use crate::repo::audit::{AuditEvent, AuditFilter};
use crate::service::read_ledger::list_audit;

/// One write, who made it and when.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventDto {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_name: String,
    pub actor_role: String,
    pub actor_token_id: Option<i64>,
    /// e.g. `movement.create`, `lot.status`, `token.revoke`.
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub summary: String,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> AuditEventDto {
        AuditEventDto {
            id: e.id,
            occurred_at: utc(e.occurred_at),
            actor_name: e.actor_name,
            actor_role: e.actor_role,
            actor_token_id: e.actor_token_id,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            summary: e.summary,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[param(max_length = 64)]
    pub action: Option<String>,
    #[param(max_length = 64)]
    pub target_type: Option<String>,
    #[param(max_length = 64)]
    pub target_id: Option<String>,
    /// The token name that made the change.
    #[param(max_length = 100)]
    pub actor: Option<String>,
    #[serde(default, deserialize_with = "super::dto::date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::dto::date")]
    pub to: Option<NaiveDate>,
}

/// The audit log: every write, oldest first (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "tokens", params(AuditQuery, PageParams),
    responses((status = 200, description = "Audit events in id order", body = List<AuditEventDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<AuditEventDto>>, Problem> {
    let page = page.page_request()?;
    let q = query.into_inner();
    for (name, value, max) in [
        ("action", &q.action, 64),
        ("target_type", &q.target_type, 64),
        ("target_id", &q.target_id, 64),
        ("actor", &q.actor, 100),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            return Err(Problem::malformed(format!("{name}: must be at most {max} characters")));
        }
    }
    let filter = AuditFilter {
        action: q.action,
        target_type: q.target_type,
        target_id: q.target_id,
        actor_name: q.actor,
        from: q.from,
        to: q.to,
    };
    let events = state.pool.run(move |c| list_audit(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(events, AuditEventDto::from)))
}
