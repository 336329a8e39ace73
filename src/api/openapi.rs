//! The OpenAPI document, generated from the handlers' annotations and completed with the
//! responses every route can give (authentication, body parsing, availability).

use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::Required;
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::problem::{Problem, CONTENT_TYPE};
use super::{
    alerts, audit, excursions, forecast, items, locations, lots, movements, ops, patients, procedures, scans, stock,
    supply, tokens, usage, users,
};
use crate::domain::validation::FieldError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mipstock",
        description = "Stock by lot and location, patient traceability and reorder alerts for the consumables of \
                       MiniMed MIP implanted insulin pumps. Every `/api/v1` route takes `Authorization: Bearer <token>`; \
                       errors are RFC 9457 `application/problem+json`."
    ),
    paths(
        ops::healthz, ops::readyz, ops::metrics, ops::openapi_json, ops::docs, ops::docs_file,
        items::list, items::create, items::get, items::update,
        locations::list, locations::create, locations::get, locations::update,
        tokens::list, tokens::create, tokens::revoke,
        users::list, users::create, users::get, users::update,
        patients::list, patients::create, patients::get, patients::update,
        lots::list, lots::get, lots::update, lots::serial,
        stock::get,
        scans::parse,
        excursions::create, excursions::list, excursions::get, excursions::decide,
        movements::list, movements::create, movements::get, movements::reverse,
        audit::list,
        usage::patient, usage::report, usage::recipients,
        procedures::list, procedures::put, procedures::perform,
        alerts::list_thresholds_route, alerts::put_threshold, alerts::delete_threshold,
        alerts::list, alerts::get, alerts::acknowledge, alerts::notifications, alerts::reorder_suggestions,
        supply::list_suppliers_route, supply::create_supplier_route, supply::get_supplier_route, supply::update_supplier_route,
        supply::list_orders_route, supply::create_order_route, supply::order_suggestions_route, supply::get_order_route,
        supply::cancel_order_route,
        forecast::get,
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&CommonResponses),
    tags(
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "catalog", description = "Items and locations"),
        (name = "patients", description = "Pseudonymous patients, usage, procedures"),
        (name = "alerts", description = "Reorder thresholds, alerts, alert emails, reorder suggestions"),
        (name = "stock", description = "Lots, movements (the ledger) and stock"),
        (name = "tokens", description = "API tokens and the audit log (admin)"),
        (name = "supply", description = "Suppliers, purchase orders and the forecast: will the booked refills be served?"),
    )
)]
pub struct ApiDoc;

/// The served document; built once.
pub fn document() -> Document {
    ApiDoc::openapi()
}

struct CommonResponses;

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(CONTENT_TYPE, Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
}

fn add_missing(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem_response(description).into());
}

/// A PATCH body must change something: its schema says `minProperties: 1`.
fn patch_bodies_change_something(document: &mut Document) {
    let names: Vec<String> = document
        .paths
        .paths
        .values()
        .filter_map(|item| item.patch.as_ref()?.request_body.as_ref())
        .filter_map(|body| match body {
            RefOr::T(body) => match body.content.get("application/json")? {
                RefOr::T(content) => content.schema.as_ref(),
                RefOr::Ref(_) => None,
            },
            RefOr::Ref(_) => None,
        })
        .filter_map(|schema| match schema {
            RefOr::Ref(reference) => reference.ref_location.rsplit('/').next().map(str::to_owned),
            RefOr::T(_) => None,
        })
        .collect();
    let Some(components) = document.components.as_mut() else {
        return;
    };
    for name in names {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            object.min_properties = Some(1);
        }
    }
}

impl Modify for CommonResponses {
    fn modify(&self, document: &mut Document) {
        patch_bodies_change_something(document);
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        for (path, item) in document.paths.paths.iter_mut() {
            let protected = path.starts_with("/api/v1/");
            let has_id = path.contains('{');
            if let Some(post) = item.post.as_mut().filter(|_| protected) {
                post.parameters
                    .get_or_insert_with(Vec::new)
                    .push(idempotency_key().into());
                add_missing(post, "409", "Conflict; among others `idempotency-key-reused`");
            }
            for (method, operation) in named_operations(item) {
                // Handler names repeat across resources (`list`, `get`): ids come from the route.
                operation.operation_id = Some(operation_id(method, path));
            }
            for (_, operation) in named_operations(item) {
                if protected {
                    operation.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
                    add_missing(operation, "401", "Missing, unknown or revoked token");
                    add_missing(operation, "403", "The token's role may not do this");
                    add_missing(operation, "503", "The database is unavailable; retry later");
                    add_missing(
                        operation,
                        "500",
                        "Unexpected failure (details are logged, not returned)",
                    );
                    add_missing(operation, "400", "Malformed request (query string or JSON syntax)");
                }
                if operation.request_body.is_some() {
                    add_missing(operation, "413", "Body larger than the configured limit");
                    add_missing(
                        operation,
                        "408",
                        "The body did not arrive within `server.body_timeout_seconds`",
                    );
                    add_missing(operation, "415", "Body is not application/json");
                    add_missing(operation, "422", "Well-formed but invalid; `errors` lists each field");
                }
                if has_id && protected {
                    add_missing(operation, "404", "No such resource");
                }
            }
        }
    }
}

/// Every POST takes an optional `Idempotency-Key`.
fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: a request applied with a key is applied once; a repeat with the same key and \
             body gets the same status and body (header `Idempotent-Replayed: true`); the same key with another \
             body or path gets 409. A refused request (4xx) stores nothing, so the key can be used again once \
             the request is corrected. Keys belong to the token and are kept at least 24 hours. Send one.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(super::idempotency::KEY_MAX))
                .pattern(Some("^[!-~]+$")),
        ))
        .build()
}

fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "api" && *s != "v1")
        .map(|s| s.trim_start_matches('{').trim_end_matches('}'))
        .collect();
    format!("{method}_{}", words.join("_").replace(['-', '.'], "_"))
}

fn named_operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, slot)| slot.as_mut().map(|operation| (method, operation)))
}
