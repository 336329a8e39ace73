use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::dto::{search_text, GtinText, List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::catalog::{self, Item, ItemCategory, ItemChanges, ItemFilter, ItemOrdering, NewItem, Storage};
use crate::domain::gtin::Gtin;
use crate::domain::ids::{ItemId, SupplierId};
use crate::domain::supply;
use crate::domain::text;
use crate::domain::token::Actor;
use crate::domain::validation::{within, FieldError, FieldErrors};
use crate::service::create_item::create_item;
use crate::service::read_catalog::{get_item, list_items};
use crate::service::update_item::update_item;

/// A consumable the pharmacy stocks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemDto {
    pub id: ItemId,
    /// Unique code, upper case.
    pub code: String,
    pub name: String,
    pub category: ItemCategory,
    /// What one unit of quantity is: a vial, a kit, a catheter.
    pub unit: String,
    /// GS1 GTINs as 14 digits.
    #[schema(example = json!(["03400958574849"]))]
    pub gtins: Vec<String>,
    pub storage: Storage,
    pub active: bool,
    /// Who it is ordered from (null: no supplier, lead time 0 in the forecast).
    pub supplier_id: Option<SupplierId>,
    /// The order multiple.
    pub pack_size: u32,
    /// Typical shelf life of a new lot, in days.
    pub shelf_life_days: Option<u32>,
}

impl From<Item> for ItemDto {
    fn from(item: Item) -> ItemDto {
        ItemDto {
            id: item.id,
            code: item.code,
            name: item.name,
            category: item.category,
            unit: item.unit,
            gtins: item.gtins.iter().map(|g| g.as_str().to_owned()).collect(),
            storage: item.storage,
            active: item.active,
            supplier_id: item.ordering.supplier_id,
            pack_size: item.ordering.pack_size,
            shelf_life_days: item.ordering.shelf_life_days,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateItemRequest {
    /// Letters, digits, `-`, `_`, `.`; stored upper case.
    #[schema(value_type = texts::Code)]
    pub code: String,
    #[schema(value_type = texts::Name)]
    pub name: String,
    pub category: ItemCategory,
    #[schema(value_type = texts::Unit)]
    pub unit: String,
    /// GTIN-8, -12, -13 or -14 with a correct GS1 check digit (default: none).
    #[serde(default)]
    #[schema(max_items = 20, value_type = std::collections::BTreeSet<GtinText>)]
    pub gtins: Vec<String>,
    /// Default `room`.
    pub storage: Option<Storage>,
    /// Default true.
    pub active: Option<bool>,
    /// Default none.
    pub supplier_id: Option<i64>,
    /// The order multiple, 1–10000 (default 1).
    #[schema(minimum = 1, maximum = 10000)]
    pub pack_size: Option<i64>,
    /// Typical shelf life of a new lot, 1–3650 days (default none).
    #[schema(minimum = 1, maximum = 3650)]
    pub shelf_life_days: Option<i64>,
}

/// Only the fields present change. Deactivate with `{"active": false}`; items are never deleted.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateItemRequest {
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::Code>, nullable = false)]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::Name>, nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub category: Option<ItemCategory>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(value_type = Option<texts::Unit>, nullable = false)]
    pub unit: Option<String>,
    /// Replaces the whole list.
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(max_items = 20, value_type = Option<std::collections::BTreeSet<GtinText>>, nullable = false)]
    pub gtins: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub storage: Option<Storage>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// `null`: no supplier.
    #[serde(default, deserialize_with = "super::dto::double_option")]
    #[schema(value_type = Option<i64>, nullable)]
    pub supplier_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::dto::present")]
    #[schema(minimum = 1, maximum = 10000, nullable = false)]
    pub pack_size: Option<i64>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "super::dto::double_option")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650, nullable)]
    pub shelf_life_days: Option<Option<i64>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    pub category: Option<ItemCategory>,
    pub active: Option<bool>,
    /// Text found in the code, the name or a GTIN (case-insensitive).
    #[param(max_length = 200)]
    pub q: Option<String>,
}

fn parse_gtins(values: &[String], errors: &mut FieldErrors) -> Option<Vec<Gtin>> {
    if values.len() > catalog::GTINS_MAX {
        errors.push(FieldError::new(
            "gtins",
            format!("at most {} GTINs", catalog::GTINS_MAX),
        ));
        return None;
    }
    let mut gtins: Vec<Gtin> = Vec::new();
    let mut ok = true;
    for (i, value) in values.iter().enumerate() {
        match Gtin::parse(value) {
            // The same text twice breaks the schema's uniqueItems; the same GTIN spelt another
            // way (13 and 14 digits) is one GTIN, kept once.
            Ok(_) if values[..i].contains(value) => {
                errors.push(FieldError::new(format!("gtins[{i}]"), "is listed twice"));
                ok = false;
            }
            Ok(gtin) if gtins.contains(&gtin) => {}
            Ok(gtin) => gtins.push(gtin),
            Err(e) => {
                errors.push(FieldError::new(format!("gtins[{i}]"), e.to_string()));
                ok = false;
            }
        }
    }
    ok.then_some(gtins)
}

fn pack_size(value: i64) -> Result<u32, FieldError> {
    within("pack_size", value, 1, supply::MAX_PACK_SIZE)
}

fn shelf_life(value: i64) -> Result<u32, FieldError> {
    within("shelf_life_days", value, 1, supply::MAX_SHELF_LIFE_DAYS)
}

impl TryFrom<CreateItemRequest> for NewItem {
    type Error = FieldErrors;
    fn try_from(request: CreateItemRequest) -> Result<NewItem, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = errors.check(text::code("code", &request.code, catalog::CODE_MAX));
        let name = errors.check(text::required_text("name", &request.name, catalog::NAME_MAX));
        let unit = errors.check(text::required_text("unit", &request.unit, catalog::UNIT_MAX));
        let gtins = parse_gtins(&request.gtins, &mut errors);
        let pack_size = request.pack_size.map(|v| errors.check(pack_size(v)));
        let shelf_life_days = request.shelf_life_days.map(|v| errors.check(shelf_life(v)));
        errors.finish(|| {
            Some(NewItem {
                ordering: ItemOrdering {
                    supplier_id: request.supplier_id.map(SupplierId),
                    pack_size: pack_size.unwrap_or(Some(1))?,
                    shelf_life_days: shelf_life_days.flatten(),
                },
                code: code?,
                name: name?,
                category: request.category,
                unit: unit?,
                gtins: gtins?,
                storage: request.storage.unwrap_or(Storage::Room),
                active: request.active.unwrap_or(true),
            })
        })
    }
}

impl TryFrom<UpdateItemRequest> for ItemChanges {
    type Error = FieldErrors;
    fn try_from(request: UpdateItemRequest) -> Result<ItemChanges, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = request
            .code
            .map(|v| errors.check(text::code("code", &v, catalog::CODE_MAX)));
        let name = request
            .name
            .map(|v| errors.check(text::required_text("name", &v, catalog::NAME_MAX)));
        let unit = request
            .unit
            .map(|v| errors.check(text::required_text("unit", &v, catalog::UNIT_MAX)));
        let gtins = request.gtins.map(|v| parse_gtins(&v, &mut errors));
        let pack_size = request.pack_size.map(|v| errors.check(pack_size(v)));
        let shelf_life_days = request.shelf_life_days.map(|v| v.map(|d| errors.check(shelf_life(d))));
        let changes = ItemChanges {
            supplier_id: request.supplier_id.map(|v| v.map(SupplierId)),
            pack_size: pack_size.flatten(),
            // A value that failed to parse has left its error; `Some(None)` would clear it.
            shelf_life_days: match shelf_life_days {
                Some(Some(None)) => None,
                Some(Some(Some(d))) => Some(Some(d)),
                Some(None) => Some(None),
                None => None,
            },
            code: code.flatten(),
            name: name.flatten(),
            category: request.category,
            unit: unit.flatten(),
            gtins: gtins.flatten(),
            storage: request.storage,
            active: request.active,
        };
        let empty = changes.code.is_none()
            && changes.name.is_none()
            && changes.category.is_none()
            && changes.unit.is_none()
            && changes.gtins.is_none()
            && changes.storage.is_none()
            && changes.active.is_none()
            && changes.supplier_id.is_none()
            && changes.pack_size.is_none()
            && changes.shelf_life_days.is_none();
        if empty && errors.0.is_empty() {
            errors.push(FieldError::new("body", "names no field to change"));
        }
        errors.finish(|| Some(changes))
    }
}

/// List catalog items.
#[utoipa::path(get, path = "/api/v1/items", tag = "catalog", params(ItemQuery, PageParams),
    responses((status = 200, description = "Items in id order", body = List<ItemDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ItemQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<ItemDto>>, Problem> {
    let page = page.page_request()?;
    let filter = ItemFilter {
        category: query.category,
        active: query.active,
        text: search_text(&query.q)?,
    };
    let items = state.pool.run(move |c| list_items(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(items, ItemDto::from)))
}

/// Add an item to the catalog.
#[utoipa::path(post, path = "/api/v1/items", tag = "catalog", request_body = CreateItemRequest,
    responses((status = 201, description = "Created", body = ItemDto),
        (status = 409, description = "Code or GTIN already used", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateItemRequest>,
) -> Result<HttpResponse, Problem> {
    let new = NewItem::try_from(body.into_inner())?;
    respond(&state, &req, actor, move |conn, actor| {
        let item = create_item(conn, actor, clock::now(), new)?;
        Reply::created(format!("/api/v1/items/{}", item.id), &ItemDto::from(item))
    })
    .await
}

/// One item.
#[utoipa::path(get, path = "/api/v1/items/{id}", tag = "catalog", params(("id" = i64, Path, description = "Item id")),
    responses((status = 200, description = "The item", body = ItemDto),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json")))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<ItemDto>, Problem> {
    let id = ItemId(id.into_inner());
    let item = state.pool.run(move |c| get_item(c, id)).await?;
    Ok(web::Json(item.into()))
}

/// Change an item (including `active: false` to deactivate it).
#[utoipa::path(patch, path = "/api/v1/items/{id}", tag = "catalog", params(("id" = i64, Path, description = "Item id")),
    request_body = UpdateItemRequest,
    responses((status = 200, description = "The item as changed", body = ItemDto),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Code or GTIN already used", body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<i64>,
    body: Json<UpdateItemRequest>,
) -> Result<web::Json<ItemDto>, Problem> {
    let id = ItemId(id.into_inner());
    let changes = ItemChanges::try_from(body.into_inner())?;
    let forecast = state.policy.forecast;
    let item = state
        .pool
        .run(move |c| update_item(c, &actor, clock::now(), forecast, id, changes))
        .await?;
    Ok(web::Json(item.into()))
}
