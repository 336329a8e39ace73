//! Reorder thresholds, alerts, the email log and reorder suggestions.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{utc, List, PageParams};
use super::extract::Json;
use super::forecast::{ForecastSuggestionDto, ForecastSuggestionWorkingDto};
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::AppState;
use crate::clock;
use crate::domain::alert::{Alert, AlertKind, AlertState, NewThreshold, NotificationStatus, Threshold};
use crate::domain::ids::{AlertId, ExcursionId, ItemId, LocationId, LotId, NotificationId, OrderId, ThresholdId};
use crate::domain::token::Actor;
use crate::repo::alerts::AlertFilter;
use crate::repo::notifications::NotificationRecord;
use crate::service::acknowledge_alert::acknowledge_alert;
use crate::service::input::threshold::ThresholdInput;
use crate::service::read_ledger::{get_alert, list_alerts, list_notifications, list_thresholds};
use crate::service::remove_threshold::remove_threshold;
use crate::service::set_threshold::set_threshold;
use crate::service::suggest_reorders::suggest_reorders;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThresholdDto {
    pub id: ThresholdId,
    pub item_id: ItemId,
    /// `null`: all locations together.
    pub location_id: Option<LocationId>,
    pub reorder_point: i64,
    pub reorder_quantity: i64,
    pub lead_time_days: Option<u32>,
}

impl From<Threshold> for ThresholdDto {
    fn from(t: Threshold) -> ThresholdDto {
        ThresholdDto {
            id: t.id,
            item_id: t.item_id,
            location_id: t.location_id,
            reorder_point: t.reorder_point,
            reorder_quantity: t.reorder_quantity,
            lead_time_days: t.lead_time_days,
        }
    }
}

/// Creates or replaces the threshold of `item_id` at `location_id` (or across all locations).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutThresholdRequest {
    pub item_id: i64,
    /// Omit or `null` for all locations together.
    pub location_id: Option<i64>,
    /// Alert when available stock falls to or below this.
    #[schema(minimum = 0, maximum = 1000000)]
    pub reorder_point: i64,
    /// What one order usually brings; at least 1.
    #[schema(minimum = 1, maximum = 1000000)]
    pub reorder_quantity: i64,
    #[schema(minimum = 0, maximum = 365)]
    pub lead_time_days: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertDto {
    pub id: AlertId,
    pub kind: AlertKind,
    pub item_id: ItemId,
    pub location_id: Option<LocationId>,
    pub lot_id: Option<LotId>,
    pub threshold_id: Option<ThresholdId>,
    pub state: AlertState,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The token name that acknowledged it.
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Available units (stock alerts), units of the lot (expiry alerts), usable units
    /// (`projected_stockout`) or units still to come (`order_overdue`) when it opened.
    pub quantity: i64,
    /// The reorder point crossed (stock alerts).
    pub threshold: Option<i64>,
    /// The late order (`order_overdue`).
    pub order_id: Option<OrderId>,
    /// The excursion whose units are held (`cold_chain_excursion`).
    pub excursion_id: Option<ExcursionId>,
}

impl From<Alert> for AlertDto {
    fn from(a: Alert) -> AlertDto {
        AlertDto {
            id: a.id,
            kind: a.kind,
            item_id: a.item_id,
            location_id: a.location_id,
            lot_id: a.lot_id,
            threshold_id: a.threshold_id,
            state: a.state,
            opened_at: utc(a.opened_at),
            acknowledged_at: a.acknowledged_at.map(utc),
            acknowledged_by: a.acknowledged_by,
            resolved_at: a.resolved_at.map(utc),
            quantity: a.quantity,
            threshold: a.threshold,
            order_id: a.order_id,
            excursion_id: a.excursion_id,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    pub state: Option<AlertState>,
    pub kind: Option<AlertKind>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationDto {
    pub id: NotificationId,
    pub alert_id: Option<AlertId>,
    /// Who it went to (filled in when it is sent).
    pub recipients: Vec<String>,
    pub subject: String,
    pub status: NotificationStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<NotificationRecord> for NotificationDto {
    fn from(n: NotificationRecord) -> NotificationDto {
        NotificationDto {
            id: n.id,
            alert_id: n.alert_id,
            recipients: n.recipients,
            subject: n.subject,
            status: n.status,
            attempts: n.attempts,
            last_error: n.last_error,
            created_at: utc(n.created_at),
            sent_at: n.sent_at.map(utc),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub alert_id: Option<i64>,
}

/// How a suggestion was worked out.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestionWorking {
    pub available: i64,
    pub on_hand: i64,
    pub expired: i64,
    pub quarantined: i64,
    pub reorder_point: i64,
    pub reorder_quantity: i64,
    pub lead_time_days: Option<u32>,
    /// `reorder_point - available + 1`: what gets stock back above the point.
    pub to_clear_point: i64,
    /// In words.
    pub explanation: String,
}

/// Which rule produced a suggestion.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionRule {
    /// A reorder threshold at or below its point.
    Threshold,
    /// The forecast: an order placed today is needed to avoid a stockout within lead time +
    /// review + safety days.
    Forecast,
}

/// The working of a suggestion, as its rule worked it out.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ReorderWorking {
    Threshold(SuggestionWorking),
    Forecast(ForecastSuggestionWorkingDto),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReorderSuggestionDto {
    pub rule: SuggestionRule,
    /// The threshold crossed (`threshold` rule).
    pub threshold_id: Option<ThresholdId>,
    pub item_id: ItemId,
    /// The threshold's location; null for the whole store (and for forecast suggestions).
    pub location_id: Option<LocationId>,
    /// Threshold: at least `reorder_quantity`, and enough to get back above the point.
    /// Forecast: whole packs covering lead time + review + safety, capped by shelf life.
    pub suggested_quantity: i64,
    /// Forecast: ordered later than this, it lands after the projected stockout.
    pub order_by: Option<NaiveDate>,
    /// Forecast: when an order placed today lands.
    pub expected_on: Option<NaiveDate>,
    pub working: ReorderWorking,
}

/// List reorder thresholds.
#[utoipa::path(get, path = "/api/v1/thresholds", tag = "alerts", params(PageParams),
    responses((status = 200, description = "Thresholds in id order", body = List<ThresholdDto>)))]
pub async fn list_thresholds_route(
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<ThresholdDto>>, Problem> {
    let page = page.page_request()?;
    let thresholds = state.pool.run(move |c| list_thresholds(c, page)).await?;
    Ok(web::Json(List::from_page(thresholds, ThresholdDto::from)))
}

/// Create or replace a threshold (by item and location); alerts are re-evaluated at once.
#[utoipa::path(put, path = "/api/v1/thresholds", tag = "alerts", request_body = PutThresholdRequest,
    responses((status = 200, description = "Replaced", body = ThresholdDto),
        (status = 201, description = "Created", body = ThresholdDto),
        (status = 409, description = "Changed concurrently; retry", body = Problem, content_type = "application/problem+json")))]
pub async fn put_threshold(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<PutThresholdRequest>,
) -> Result<HttpResponse, Problem> {
    let new = NewThreshold::try_from(ThresholdInput::from(body.into_inner()))?;
    let forecast = state.policy.forecast;
    let (threshold, created) = state
        .pool
        .run(move |c| set_threshold(c, &actor, clock::now(), forecast, new))
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(ThresholdDto::from(threshold)))
}

/// Delete a threshold; its open alerts resolve.
#[utoipa::path(delete, path = "/api/v1/thresholds/{id}", tag = "alerts", params(("id" = i64, Path, description = "Threshold id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_threshold(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = ThresholdId(id.into_inner());
    state
        .pool
        .run(move |c| remove_threshold(c, &actor, clock::now(), id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List alerts.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(AlertQuery, PageParams),
    responses((status = 200, description = "Alerts in id order", body = List<AlertDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<AlertQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<AlertDto>>, Problem> {
    let page = page.page_request()?;
    let filter = AlertFilter {
        state: query.state,
        kind: query.kind,
    };
    let alerts = state.pool.run(move |c| list_alerts(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(alerts, AlertDto::from)))
}

/// One alert.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts", params(("id" = i64, Path, description = "Alert id")),
    responses((status = 200, description = "The alert", body = AlertDto)))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<AlertDto>, Problem> {
    let id = AlertId(id.into_inner());
    Ok(web::Json(state.pool.run(move |c| get_alert(c, id)).await?.into()))
}

/// Acknowledge an alert: it stays until resolved, but is no longer emailed again.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "alerts", params(("id" = i64, Path, description = "Alert id")),
    responses((status = 200, description = "The alert, acknowledged", body = AlertDto),
        (status = 409, description = "The alert is already resolved", body = Problem, content_type = "application/problem+json")))]
pub async fn acknowledge(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = AlertId(id.into_inner());
    respond(&state, &req, actor, move |conn, actor| {
        let alert = acknowledge_alert(conn, actor, clock::now(), id)?;
        Reply::ok(&AlertDto::from(alert))
    })
    .await
}

/// The email log.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "alerts", params(NotificationQuery, PageParams),
    responses((status = 200, description = "Emails in id order", body = List<NotificationDto>)))]
pub async fn notifications(
    state: web::Data<AppState>,
    query: web::Query<NotificationQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<NotificationDto>>, Problem> {
    let page = page.page_request()?;
    let alert = query.alert_id.map(AlertId);
    let records = state.pool.run(move |c| list_notifications(c, alert, page)).await?;
    Ok(web::Json(List::from_page(records, NotificationDto::from)))
}

/// What to order: items at or below their reorder point (`threshold` rule) and items whose
/// forecast needs an order today (`forecast` rule), each with a suggested quantity and the working.
#[utoipa::path(get, path = "/api/v1/reorder-suggestions", tag = "alerts",
    responses((status = 200, description = "Threshold suggestions, then forecast suggestions", body = List<ReorderSuggestionDto>)))]
pub async fn reorder_suggestions(state: web::Data<AppState>) -> Result<web::Json<List<ReorderSuggestionDto>>, Problem> {
    let today = clock::today();
    let policy = state.policy.forecast;
    let (thresholds, forecasts) = state.pool.run(move |c| suggest_reorders(c, today, policy)).await?;
    let mut data: Vec<ReorderSuggestionDto> = thresholds
        .into_iter()
        .map(|s| {
            let t = &s.threshold;
            let explanation = format!(
                "{} available ≤ reorder point {}: {} needed to get back above it; ordering max({}, {}) = {}",
                s.figures.available,
                t.reorder_point,
                s.to_clear_point,
                t.reorder_quantity,
                s.to_clear_point,
                s.suggested_quantity
            );
            ReorderSuggestionDto {
                rule: SuggestionRule::Threshold,
                threshold_id: Some(t.id),
                item_id: t.item_id,
                location_id: t.location_id,
                suggested_quantity: s.suggested_quantity,
                order_by: None,
                expected_on: None,
                working: ReorderWorking::Threshold(SuggestionWorking {
                    available: s.figures.available,
                    on_hand: s.figures.on_hand,
                    expired: s.figures.expired,
                    quarantined: s.figures.quarantined,
                    reorder_point: t.reorder_point,
                    reorder_quantity: t.reorder_quantity,
                    lead_time_days: t.lead_time_days,
                    to_clear_point: s.to_clear_point,
                    explanation,
                }),
            }
        })
        .collect();
    data.extend(forecasts.into_iter().map(|f| {
        let dto = ForecastSuggestionDto::new(&f.suggestion, f.ordering.pack_size, f.ordering.shelf_life_days);
        ReorderSuggestionDto {
            rule: SuggestionRule::Forecast,
            threshold_id: None,
            item_id: f.item_id,
            location_id: None,
            suggested_quantity: i64::from(dto.quantity),
            order_by: Some(dto.order_by),
            expected_on: Some(dto.expected_on),
            working: ReorderWorking::Forecast(dto.working),
        }
    }));
    Ok(web::Json(List {
        data,
        next_cursor: None,
    }))
}

impl From<PutThresholdRequest> for ThresholdInput {
    fn from(r: PutThresholdRequest) -> ThresholdInput {
        ThresholdInput {
            item_id: r.item_id,
            location_id: r.location_id,
            reorder_point: r.reorder_point,
            reorder_quantity: r.reorder_quantity,
            lead_time_days: r.lead_time_days,
        }
    }
}
