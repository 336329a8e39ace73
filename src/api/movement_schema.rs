//! The movement request as the OpenAPI document states it: one schema per kind (`oneOf` with a
//! `kind` discriminator), each with exactly the fields its kind needs and takes, as
//! `CreateMovementRequest::into_new_movement` checks them. Limits come from the domain.

use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, Discriminator, KnownFormat, ObjectBuilder,
    OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::RefOr;
use utoipa::PartialSchema;

use super::texts;
use crate::domain::catalog::Named;
use crate::domain::ledger::{MovementKind, WasteReason, LINES_MAX, SERIALS_MAX};
use crate::domain::quantity::MAX_QUANTITY;

/// Schema of `POST /api/v1/movements`.
pub struct MovementRequestSchema;

fn id(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(description))
        .into()
}

fn units(min: u32, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(f64::from(min)))
        .maximum(Some(f64::from(MAX_QUANTITY)))
        .description(Some(description))
        .into()
}

fn closed(object: ObjectBuilder) -> ObjectBuilder {
    object
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
}

/// A line of one kind: `fields` are (name, schema, required).
fn line(fields: Vec<(&str, RefOr<Schema>, bool)>) -> RefOr<Schema> {
    let mut object = closed(ObjectBuilder::new());
    for (name, schema, required) in fields {
        object = object.property(name, schema);
        if required {
            object = object.required(name);
        }
    }
    object.into()
}

/// A line that may be scanned: typed (the fields marked required) or a `scan` that gives them.
fn scannable_line(mut fields: Vec<(&str, RefOr<Schema>, bool)>) -> RefOr<Schema> {
    let typed: Vec<&str> = fields
        .iter()
        .filter(|(_, _, required)| *required)
        .map(|(name, _, _)| *name)
        .collect();
    let mut typed_line = ObjectBuilder::new();
    for name in typed {
        typed_line = typed_line.required(name);
    }
    fields.push(("scan", texts::ScanData::schema(), false));
    let all_optional = fields
        .into_iter()
        .map(|(name, schema, _)| (name, schema, false))
        .collect();
    AllOfBuilder::new()
        .item(line(all_optional))
        .item(
            AnyOfBuilder::new()
                .item(typed_line)
                .item(ObjectBuilder::new().required("scan")),
        )
        .description(Some(
            "Typed, or scanned: `scan` gives the item, lot, expiry and serial (a field also given must agree; \
             without a quantity, one pack; with a serial, exactly one)",
        ))
        .into()
}

fn item() -> (&'static str, RefOr<Schema>, bool) {
    ("item_id", id("The catalog item"), true)
}

fn quantity() -> (&'static str, RefOr<Schema>, bool) {
    ("quantity", units(1, "Units"), true)
}

fn lot(required: bool) -> (&'static str, RefOr<Schema>, bool) {
    let description = if required {
        "The lot"
    } else {
        "The lot; absent: earliest expiry first (FEFO), possibly from several lots"
    };
    ("lot_id", id(description), required)
}

/// One kind's request: `kind` fixed, then the kind's own fields.
fn kind(
    kind: MovementKind,
    description: &str,
    fields: Vec<(&str, RefOr<Schema>, bool)>,
    line: RefOr<Schema>,
) -> RefOr<Schema> {
    let mut object = closed(ObjectBuilder::new())
        .title(Some(kind.as_str()))
        .description(Some(description))
        .property(
            "kind",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([kind.as_str()])),
        )
        .required("kind")
        .property("occurred_at", texts::OccurredAt::schema())
        .property("reference", texts::Reference::schema())
        .property("note", texts::Note::schema())
        .property("location_id", id("Where stock leaves or arrives"))
        .required("location_id")
        .property(
            "lines",
            ArrayBuilder::new()
                .items(line)
                .min_items(Some(1))
                .max_items(Some(LINES_MAX)),
        )
        .required("lines");
    if kind != MovementKind::Waste {
        object = object.property("reason", texts::Reason::schema());
    }
    for (name, schema, required) in fields {
        object = object.property(name, schema);
        if required {
            object = object.required(name);
        }
    }
    object.into()
}

impl PartialSchema for MovementRequestSchema {
    fn schema() -> RefOr<Schema> {
        let receipt_line = scannable_line(vec![
            item(),
            quantity(),
            ("lot_number", texts::LotNumber::schema(), true),
            (
                "expires_on",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                    .description(Some("Not already past; a known lot must keep its expiry"))
                    .into(),
                true,
            ),
            (
                "serials",
                ArrayBuilder::new()
                    .items(texts::SerialNumber::schema())
                    .max_items(Some(SERIALS_MAX))
                    .unique_items(true)
                    .description(Some("Serial numbers of the packs received (no more than the units)"))
                    .into(),
                false,
            ),
            (
                "order_line_id",
                id("The purchase order line this receipt counts against (same item; the order open or partially received)"),
                false,
            ),
        ]);
        let draw_line = scannable_line(vec![item(), quantity(), lot(false)]);
        let lot_line = scannable_line(vec![item(), lot(true), quantity()]);
        let count_line = line(vec![
            item(),
            lot(true),
            ("counted_quantity", units(0, "What is on the shelf"), true),
        ]);
        let waste_reason = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(WasteReason::ALL.iter().map(|r| r.as_str())))
            .into();
        let patient = |required, description| ("patient_id", id(description), required);
        OneOfBuilder::new()
            .item(kind(
                MovementKind::Receipt,
                "Stock arrives: lots are created when new",
                vec![],
                receipt_line,
            ))
            .item(kind(
                MovementKind::Dispense,
                "Stock leaves for a patient",
                vec![patient(true, "The patient (active)")],
                draw_line.clone(),
            ))
            .item(kind(
                MovementKind::Transfer,
                "Stock moves between locations, same lots",
                vec![("to_location_id", id("The destination, not location_id"), true)],
                draw_line,
            ))
            .item(kind(
                MovementKind::Return,
                "Stock comes back, from a patient (at most what they hold) or not",
                vec![patient(false, "The patient who returns it")],
                lot_line.clone(),
            ))
            .item(kind(
                MovementKind::Waste,
                "Stock is destroyed",
                vec![("reason", waste_reason, true)],
                lot_line,
            ))
            .item(kind(
                MovementKind::Count,
                "A lot's quantity at a location is set to what was counted (each lot once)",
                vec![],
                count_line,
            ))
            .discriminator(Some(Discriminator::new("kind")))
            .into()
    }
}

impl utoipa::ToSchema for MovementRequestSchema {}

/// Schema of a performed procedure's `lines` (`POST /api/v1/patients/{id}/procedures`): an item
/// and its quantity, or a scanned box, as `service::input::procedure` checks them.
pub struct ProcedureLinesSchema;

impl PartialSchema for ProcedureLinesSchema {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(scannable_line(vec![item(), quantity()]))
            .max_items(Some(crate::domain::procedure::LINES_MAX))
            .description(Some(
                "Replace the quantities of items of the bundle, or add items (`item_id` + `quantity`); or name a \
                 scanned box (`scan`), taken from its own lot in place of its item's line",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ProcedureLinesSchema {}
