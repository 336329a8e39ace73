//! Suppliers and purchase orders: what is on its way.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dto::{List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::ids::{ItemId, OrderId, OrderLineId, SupplierId};
use crate::domain::ledger::REFERENCE_MAX;
use crate::domain::quantity::Quantity;
use crate::domain::supply::{
    self, NewOrder, NewSupplier, Order, OrderFilter, OrderStatus, Supplier, SupplierChanges, ORDER_LINES_MAX,
};
use crate::domain::text;
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::cancel_order::cancel_order;
use crate::service::create_supplier::create_supplier;
use crate::service::input::supplier::{SupplierChangesInput, SupplierInput};
use crate::service::order_suggestions::{order_suggestions, SuggestedOrder};
use crate::service::place_order::place_order;
use crate::service::read_supply::{get_order, get_supplier, list_orders, list_suppliers};
use crate::service::update_supplier::update_supplier;

/// Who an item is bought from, and how long an order takes to land.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SupplierDto {
    pub id: SupplierId,
    pub code: String,
    pub name: String,
    /// Days from ordering to delivery.
    pub lead_time_days: u32,
    pub email: Option<String>,
    pub active: bool,
}

impl From<Supplier> for SupplierDto {
    fn from(s: Supplier) -> SupplierDto {
        SupplierDto {
            id: s.id,
            code: s.code,
            name: s.name,
            lead_time_days: s.lead_time_days,
            email: s.email,
            active: s.active,
        }
    }
}

/// Schema of an email address as `domain::text::email` accepts it.
pub struct EmailText;

impl utoipa::PartialSchema for EmailText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(3))
            .max_length(Some(supply::EMAIL_MAX))
            .pattern(Some(text::email_pattern()))
            .examples(["orders@supplier.example"])
            .into()
    }
}

impl utoipa::ToSchema for EmailText {}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSupplierRequest {
    /// Letters, digits, `-`, `_`, `.`; stored upper case.
    #[schema(value_type = texts::Code)]
    pub code: String,
    #[schema(value_type = texts::Name)]
    pub name: String,
    /// 0–365 (default 14).
    #[schema(minimum = 0, maximum = 365)]
    pub lead_time_days: Option<i64>,
    #[schema(value_type = Option<EmailText>)]
    pub email: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

/// Only the fields present change; suppliers are never deleted (`{"active": false}`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSupplierRequest {
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::Code>, nullable = false)]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::Name>, nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(minimum = 0, maximum = 365, nullable = false)]
    pub lead_time_days: Option<i64>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "super::dto::double_option")]
    #[schema(value_type = Option<EmailText>, nullable)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupplierQuery {
    pub active: Option<bool>,
}

/// List suppliers.
#[utoipa::path(get, path = "/api/v1/suppliers", tag = "supply", params(SupplierQuery, PageParams),
    responses((status = 200, description = "Suppliers in id order", body = List<SupplierDto>)))]
pub async fn list_suppliers_route(
    state: web::Data<AppState>,
    query: web::Query<SupplierQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<SupplierDto>>, Problem> {
    let page = page.page_request()?;
    let active = query.active;
    let suppliers = state.pool.run(move |c| list_suppliers(c, active, page)).await?;
    Ok(web::Json(List::from_page(suppliers, SupplierDto::from)))
}

/// Add a supplier.
#[utoipa::path(post, path = "/api/v1/suppliers", tag = "supply", request_body = CreateSupplierRequest,
    responses((status = 201, description = "Created", body = SupplierDto),
        (status = 409, description = "Code already used", body = Problem, content_type = "application/problem+json")))]
pub async fn create_supplier_route(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateSupplierRequest>,
) -> Result<HttpResponse, Problem> {
    let new = NewSupplier::try_from(SupplierInput::from(body.into_inner()))?;
    respond(&state, &req, actor, move |conn, actor| {
        let supplier = create_supplier(conn, actor, clock::now(), new)?;
        Reply::created(
            format!("/api/v1/suppliers/{}", supplier.id),
            &SupplierDto::from(supplier),
        )
    })
    .await
}

/// One supplier.
#[utoipa::path(get, path = "/api/v1/suppliers/{id}", tag = "supply", params(("id" = i64, Path, description = "Supplier id")),
    responses((status = 200, description = "The supplier", body = SupplierDto),
        (status = 404, description = "No such supplier", body = Problem, content_type = "application/problem+json")))]
pub async fn get_supplier_route(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<SupplierDto>, Problem> {
    let id = SupplierId(id.into_inner());
    let supplier = state.pool.run(move |c| get_supplier(c, id)).await?;
    Ok(web::Json(supplier.into()))
}

/// Change a supplier; a new lead time re-evaluates projected stockouts at once.
#[utoipa::path(patch, path = "/api/v1/suppliers/{id}", tag = "supply", params(("id" = i64, Path, description = "Supplier id")),
    request_body = UpdateSupplierRequest,
    responses((status = 200, description = "The supplier as changed", body = SupplierDto),
        (status = 404, description = "No such supplier", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Code already used", body = Problem, content_type = "application/problem+json")))]
pub async fn update_supplier_route(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<UpdateSupplierRequest>,
) -> Result<web::Json<SupplierDto>, Problem> {
    let id = SupplierId(id.into_inner());
    let changes = SupplierChanges::try_from(SupplierChangesInput::from(body.into_inner()))?;
    let forecast = state.policy.forecast;
    let supplier = state
        .pool
        .run(move |c| update_supplier(c, &actor, clock::now(), forecast, id, changes))
        .await?;
    Ok(web::Json(supplier.into()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderLineDto {
    pub id: OrderLineId,
    pub item_id: ItemId,
    pub quantity: i64,
    /// What receipts naming this line brought so far.
    pub received_quantity: i64,
}

/// A purchase order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderDto {
    pub id: OrderId,
    pub supplier_id: SupplierId,
    pub reference: Option<String>,
    pub status: OrderStatus,
    pub ordered_on: NaiveDate,
    pub expected_on: NaiveDate,
    pub lines: Vec<OrderLineDto>,
}

impl From<Order> for OrderDto {
    fn from(o: Order) -> OrderDto {
        OrderDto {
            id: o.id,
            supplier_id: o.supplier_id,
            reference: o.reference,
            status: o.status,
            ordered_on: o.ordered_on,
            expected_on: o.expected_on,
            lines: o
                .lines
                .into_iter()
                .map(|l| OrderLineDto {
                    id: l.id,
                    item_id: l.item_id,
                    quantity: l.quantity,
                    received_quantity: l.received_quantity,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineRequest {
    pub item_id: i64,
    /// Units, 1–100000.
    #[schema(minimum = 1, maximum = 100000)]
    pub quantity: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderRequest {
    pub supplier_id: i64,
    /// The supplier's or the pharmacy's order number.
    #[schema(value_type = Option<texts::Reference>)]
    pub reference: Option<String>,
    /// Default today.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub ordered_on: Option<NaiveDate>,
    /// Default `ordered_on` + the supplier's lead time; not before `ordered_on`.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub expected_on: Option<NaiveDate>,
    /// One line per item.
    #[schema(min_items = 1, max_items = 100)]
    pub lines: Vec<OrderLineRequest>,
}

fn reference(value: &Option<String>, errors: &mut FieldErrors) -> Option<Option<String>> {
    match value {
        None => Some(None),
        Some(text) => errors
            .check(text::optional_text("reference", text, REFERENCE_MAX))
            .map(|t| (!t.is_empty()).then_some(t)),
    }
}

impl CreateOrderRequest {
    fn parse(self, today: NaiveDate) -> Result<NewOrder, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reference = reference(&self.reference, &mut errors);
        if self.lines.is_empty() {
            errors.push(FieldError::new("lines", "must hold at least one line"));
        }
        if self.lines.len() > ORDER_LINES_MAX {
            errors.push(FieldError::new(
                "lines",
                format!("must hold at most {ORDER_LINES_MAX} lines"),
            ));
        }
        let mut lines = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if self.lines[..i].iter().any(|other| other.item_id == line.item_id) {
                errors.push(FieldError::new(format!("lines[{i}].item_id"), "is listed twice"));
            }
            if let Some(q) = errors.check(Quantity::parse(&format!("lines[{i}].quantity"), line.quantity)) {
                lines.push((ItemId(line.item_id), q));
            }
        }
        if self.ordered_on.is_some_and(|on| on > today) {
            errors.push(FieldError::new("ordered_on", "must not be in the future"));
        }
        if let (Some(ordered), Some(expected)) = (self.ordered_on, self.expected_on) {
            if expected < ordered {
                errors.push(FieldError::new("expected_on", "must not be before ordered_on"));
            }
        }
        errors.finish(|| {
            Some(NewOrder {
                supplier_id: SupplierId(self.supplier_id),
                reference: reference?,
                ordered_on: self.ordered_on,
                expected_on: self.expected_on,
                lines,
            })
        })
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub supplier_id: Option<i64>,
}

/// List purchase orders.
#[utoipa::path(get, path = "/api/v1/orders", tag = "supply", params(OrderQuery, PageParams),
    responses((status = 200, description = "Orders in id order", body = List<OrderDto>)))]
pub async fn list_orders_route(
    state: web::Data<AppState>,
    query: web::Query<OrderQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<OrderDto>>, Problem> {
    let page = page.page_request()?;
    let filter = OrderFilter {
        status: query.status,
        supplier_id: query.supplier_id.map(SupplierId),
    };
    let orders = state.pool.run(move |c| list_orders(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(orders, OrderDto::from)))
}

/// Place a purchase order: what it brings counts as `on_order` and arrives in the forecast on
/// `expected_on`.
#[utoipa::path(post, path = "/api/v1/orders", tag = "supply", request_body = CreateOrderRequest,
    responses((status = 201, description = "Placed", body = OrderDto)))]
pub async fn create_order_route(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateOrderRequest>,
) -> Result<HttpResponse, Problem> {
    let new = body.into_inner().parse(clock::today())?;
    let forecast = state.policy.forecast;
    respond(&state, &req, actor, move |conn, actor| {
        let order = place_order(conn, actor, clock::now(), forecast, new)?;
        Reply::created(format!("/api/v1/orders/{}", order.id), &OrderDto::from(order))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderSuggestionsRequest {
    pub supplier_id: i64,
    /// Only these items (default: every item of the supplier with a forecast suggestion).
    #[schema(min_items = 1, max_items = 100, value_type = Option<std::collections::BTreeSet<i64>>)]
    pub item_ids: Option<Vec<i64>>,
    #[schema(value_type = Option<texts::Reference>)]
    pub reference: Option<String>,
}

/// Order what the forecast suggests today, in one request: one line per item of the supplier
/// (or per item listed) that has a forecast suggestion, for its suggested quantity; expected
/// after the supplier's lead time.
#[utoipa::path(post, path = "/api/v1/orders/from-suggestions", tag = "supply", request_body = OrderSuggestionsRequest,
    responses((status = 201, description = "Placed", body = OrderDto),
        (status = 422, description = "No such supplier, an item not bought from it, or nothing to order today", body = Problem, content_type = "application/problem+json")))]
pub async fn order_suggestions_route(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<OrderSuggestionsRequest>,
) -> Result<HttpResponse, Problem> {
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    let reference = reference(&body.reference, &mut errors);
    if let Some(items) = &body.item_ids {
        if items.is_empty() || items.len() > ORDER_LINES_MAX {
            errors.push(FieldError::new(
                "item_ids",
                format!("must hold 1 to {ORDER_LINES_MAX} ids"),
            ));
        }
        for (i, item) in items.iter().enumerate() {
            if items[..i].contains(item) {
                errors.push(FieldError::new(format!("item_ids[{i}]"), "is listed twice"));
            }
        }
    }
    let request = errors.finish(|| {
        Some(SuggestedOrder {
            supplier_id: SupplierId(body.supplier_id),
            items: body.item_ids.map(|ids| ids.into_iter().map(ItemId).collect()),
            reference: reference?,
        })
    })?;
    let forecast = state.policy.forecast;
    respond(&state, &req, actor, move |conn, actor| {
        let order = order_suggestions(conn, actor, clock::now(), forecast, request)?;
        Reply::created(format!("/api/v1/orders/{}", order.id), &OrderDto::from(order))
    })
    .await
}

/// One purchase order.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "supply", params(("id" = i64, Path, description = "Order id")),
    responses((status = 200, description = "The order", body = OrderDto),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json")))]
pub async fn get_order_route(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<OrderDto>, Problem> {
    let id = OrderId(id.into_inner());
    let order = state.pool.run(move |c| get_order(c, id)).await?;
    Ok(web::Json(order.into()))
}

/// Cancel an open or partially received order: what it had not brought is no longer on order.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "supply", params(("id" = i64, Path, description = "Order id")),
    responses((status = 200, description = "The order, cancelled", body = OrderDto),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "order-closed: already received or cancelled", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_order_route(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = OrderId(id.into_inner());
    let forecast = state.policy.forecast;
    respond(&state, &req, actor, move |conn, actor| {
        let order = cancel_order(conn, actor, clock::now(), forecast, id)?;
        Reply::ok(&OrderDto::from(order))
    })
    .await
}

impl From<CreateSupplierRequest> for SupplierInput {
    fn from(r: CreateSupplierRequest) -> SupplierInput {
        SupplierInput {
            code: r.code,
            name: r.name,
            lead_time_days: r.lead_time_days,
            email: r.email,
            active: r.active,
        }
    }
}

impl From<UpdateSupplierRequest> for SupplierChangesInput {
    fn from(r: UpdateSupplierRequest) -> SupplierChangesInput {
        SupplierChangesInput {
            code: r.code,
            name: r.name,
            lead_time_days: r.lead_time_days,
            email: r.email,
            active: r.active,
        }
    }
}
