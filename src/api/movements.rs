use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::clock;
use super::dto::{utc, List, PageParams};
use super::extract::Json;
use super::idempotency::{respond, Reply};
use super::movement_schema::MovementRequestSchema;
use super::problem::Problem;
use super::scans::read_scan;
use super::AppState;
use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::gs1::{Gs1Code, ScannedPack};
use crate::domain::ids::{ItemId, LocationId, LotId, MovementId, OrderLineId, PatientId};
use crate::domain::ledger::{
    CountLine, DrawLine, LotLine, Movement, MovementFilter, MovementKind, MovementRequest, NewMovement, ReceiptLine,
    WasteReason, LINES_MAX, LOT_NUMBER_MAX, NOTE_MAX, REASON_MAX, REFERENCE_MAX, SERIALS_MAX, SERIAL_MAX,
};
use crate::domain::quantity::{Counted, Quantity};
use crate::domain::role::Role;
use crate::domain::text;
use crate::domain::time;
use crate::domain::token::Actor;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::read_catalog::identify_scans;
use crate::service::read_ledger::{get_movement, list_movements};
use crate::service::record_movement::record_movement;
use crate::service::reverse_movement::reverse_movement;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActorDto {
    /// The name of the token that recorded it.
    pub name: String,
    pub role: Role,
}

/// One signed change of one lot at one location.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementLineDto {
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub location_id: LocationId,
    /// Units added (positive) or taken (negative).
    pub delta: i64,
    /// On a count: the quantity found on the shelf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted_quantity: Option<i64>,
    /// The serialised pack the line moved, when it was scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementDto {
    pub id: MovementId,
    pub kind: MovementKind,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    pub actor: ActorDto,
    pub location_id: Option<LocationId>,
    pub to_location_id: Option<LocationId>,
    pub patient_id: Option<PatientId>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub reverses_movement_id: Option<MovementId>,
    pub reversed_by_movement_id: Option<MovementId>,
    /// The procedure a dispense recorded (e.g. `refill`).
    pub procedure: Option<String>,
    pub lines: Vec<MovementLineDto>,
}

impl From<Movement> for MovementDto {
    fn from(m: Movement) -> MovementDto {
        MovementDto {
            id: m.id,
            kind: m.kind,
            occurred_at: utc(m.occurred_at),
            recorded_at: utc(m.recorded_at),
            actor: ActorDto {
                name: m.actor_name,
                role: m.actor_role,
            },
            location_id: m.location_id,
            to_location_id: m.to_location_id,
            patient_id: m.patient_id,
            reason: m.reason,
            reference: m.reference,
            note: m.note,
            reverses_movement_id: m.reverses_movement_id,
            reversed_by_movement_id: m.reversed_by_movement_id,
            procedure: m.procedure_code,
            lines: m
                .lines
                .into_iter()
                .map(|l| MovementLineDto {
                    item_id: l.item_id,
                    lot_id: l.lot_id,
                    lot_number: l.lot_number,
                    expires_on: l.expires_on,
                    location_id: l.location_id,
                    delta: l.delta,
                    counted_quantity: l.counted_quantity,
                    serial: l.serial,
                })
                .collect(),
        }
    }
}

/// A line of a movement request as sent; which fields a line needs depends on the movement's
/// kind (the document states it per kind: `movement_schema`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MovementLineRequest {
    /// Required unless `scan` gives it.
    pub item_id: Option<i64>,
    /// Units, 1–100000; omitted on a `count` line.
    pub quantity: Option<i64>,
    /// Required on return, waste and count; optional on dispense and transfer (FEFO when absent).
    pub lot_id: Option<i64>,
    /// Receipt only: the manufacturer's lot number.
    pub lot_number: Option<String>,
    /// Receipt only.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub expires_on: Option<NaiveDate>,
    /// Count only: what is on the shelf.
    pub counted_quantity: Option<i64>,
    /// Receipt only: serial numbers of the packs received.
    pub serials: Option<Vec<String>>,
    /// Receipt only: the purchase order line this receipt counts against.
    pub order_line_id: Option<i64>,
    /// What the scanner typed (all kinds but count): the code gives the item, lot, expiry and
    /// serial; a field also given must agree with it.
    pub scan: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMovementRequest {
    /// One of receipt, dispense, transfer, return, waste, count (reversals have their own route).
    pub kind: MovementKind,
    /// When it happened (default: now); never in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    pub location_id: Option<i64>,
    /// Transfer only: the destination.
    pub to_location_id: Option<i64>,
    /// Required on dispense; optional on return.
    pub patient_id: Option<i64>,
    /// Waste: one of expired, damaged, cold_chain_breach, recalled, other. Others: free text.
    pub reason: Option<String>,
    /// The caller's own reference (delivery note, order number…).
    pub reference: Option<String>,
    pub note: Option<String>,
    pub lines: Vec<MovementLineRequest>,
}

/// Collects which fields a kind needs, forbids the ones it does not use.
struct Rules<'a> {
    errors: FieldErrors,
    kind: &'a str,
}

impl Rules<'_> {
    fn required<T: Copy>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.errors
                .push(FieldError::new(field, format!("is required for {}", self.kind)));
        }
        value
    }

    fn absent<T>(&mut self, field: &str, value: &Option<T>) {
        if value.is_some() {
            self.errors
                .push(FieldError::new(field, format!("is not used by {}", self.kind)));
        }
    }

    fn quantity(&mut self, field: &str, value: Option<i64>) -> Option<Quantity> {
        let value = self.required(field, value)?;
        self.errors.check(Quantity::parse(field, value))
    }
}

impl CreateMovementRequest {
    /// Reads every line's scan: (line index, what its code says).
    pub fn read_scans(&self, today: NaiveDate) -> Result<Vec<(usize, Gs1Code)>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut codes = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let Some(data) = &line.scan else { continue };
            if self.kind == MovementKind::Count {
                errors.push(FieldError::new(field(i, "scan"), "is not used by count"));
            } else if let Some(code) = errors.check(read_scan(&field(i, "scan"), data, today)) {
                codes.push((i, code));
            }
        }
        errors.finish(|| Some(codes))
    }

    /// Checks the request against its kind and builds the typed movement; `scans` are the lines'
    /// codes matched against the catalog (`read_scans`, then `identify_scans`).
    pub fn into_new_movement(
        self,
        now: NaiveDateTime,
        scans: &[(usize, ScannedPack)],
    ) -> Result<NewMovement, FieldErrors> {
        let pack = |i: usize| scans.iter().find(|(line, _)| *line == i).map(|(_, pack)| pack);
        let mut r = Rules {
            errors: FieldErrors::default(),
            kind: self.kind.as_str(),
        };
        let occurred_at = match self.occurred_at {
            None => Some(now),
            Some(at) => r.errors.check(time::occurred_at(at, now)),
        };
        if self.lines.is_empty() || self.lines.len() > LINES_MAX {
            r.errors
                .push(FieldError::new("lines", format!("must hold 1 to {LINES_MAX} lines")));
        }
        let reference = self
            .reference
            .as_deref()
            .and_then(|v| r.errors.check(text::optional_text("reference", v, REFERENCE_MAX)));
        let note = self
            .note
            .as_deref()
            .and_then(|v| r.errors.check(text::free_text("note", v, NOTE_MAX)));
        let location = r.required("location_id", self.location_id).map(LocationId);
        let lines = &self.lines;
        let mut reason = None;

        let request = match self.kind {
            MovementKind::Receipt => {
                r.absent("to_location_id", &self.to_location_id);
                r.absent("patient_id", &self.patient_id);
                let lines: Vec<Option<ReceiptLine>> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| receipt_line(&mut r, i, l, pack(i)))
                    .collect();
                location
                    .zip(all(lines))
                    .map(|(location, lines)| MovementRequest::Receipt { location, lines })
            }
            MovementKind::Dispense => {
                r.absent("to_location_id", &self.to_location_id);
                let patient = r.required("patient_id", self.patient_id).map(PatientId);
                let lines = all(lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| draw_line(&mut r, i, l, pack(i)))
                    .collect());
                match (location, patient, lines) {
                    (Some(location), Some(patient), Some(lines)) => Some(MovementRequest::Dispense {
                        location,
                        patient,
                        lines,
                    }),
                    _ => None,
                }
            }
            MovementKind::Transfer => {
                r.absent("patient_id", &self.patient_id);
                let to = r.required("to_location_id", self.to_location_id).map(LocationId);
                if location.is_some() && location == to {
                    r.errors
                        .push(FieldError::new("to_location_id", "must differ from location_id"));
                }
                let lines = all(lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| draw_line(&mut r, i, l, pack(i)))
                    .collect());
                match (location, to, lines) {
                    (Some(from), Some(to), Some(lines)) => Some(MovementRequest::Transfer { from, to, lines }),
                    _ => None,
                }
            }
            MovementKind::Return => {
                r.absent("to_location_id", &self.to_location_id);
                let lines = all(lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| lot_line(&mut r, i, l, pack(i)))
                    .collect());
                location.zip(lines).map(|(location, lines)| MovementRequest::Return {
                    location,
                    patient: self.patient_id.map(PatientId),
                    lines,
                })
            }
            MovementKind::Waste => {
                r.absent("to_location_id", &self.to_location_id);
                r.absent("patient_id", &self.patient_id);
                let waste_reason = match self.reason.as_deref() {
                    None => r.required::<WasteReason>("reason", None),
                    Some(text) => {
                        let parsed = WasteReason::parse(text);
                        if parsed.is_none() {
                            r.errors.push(FieldError::new("reason", WasteReason::expected()));
                        }
                        parsed
                    }
                };
                let lines = all(lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| lot_line(&mut r, i, l, pack(i)))
                    .collect());
                match (location, waste_reason, lines) {
                    (Some(location), Some(reason), Some(lines)) => Some(MovementRequest::Waste {
                        location,
                        reason,
                        lines,
                    }),
                    _ => None,
                }
            }
            MovementKind::Count => {
                r.absent("to_location_id", &self.to_location_id);
                r.absent("patient_id", &self.patient_id);
                // A lot counted twice in one count would be applied twice (10, then 70).
                for (i, line) in lines.iter().enumerate() {
                    let first = lines.iter().position(|other| other.lot_id == line.lot_id);
                    if let (Some(lot), Some(first)) = (line.lot_id, first) {
                        if first < i {
                            r.errors.push(FieldError::new(
                                field(i, "lot_id"),
                                format!("lot {lot} is already counted by lines[{first}]: count each lot once"),
                            ));
                        }
                    }
                }
                let lines = all(lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| count_line(&mut r, i, l))
                    .collect());
                location
                    .zip(lines)
                    .map(|(location, lines)| MovementRequest::Count { location, lines })
            }
            MovementKind::Reversal => {
                r.errors.push(FieldError::new(
                    "kind",
                    "reversals are made with POST /api/v1/movements/{id}/reverse",
                ));
                None
            }
        };
        if self.kind != MovementKind::Waste {
            reason = self
                .reason
                .as_deref()
                .and_then(|v| r.errors.check(text::optional_text("reason", v, REASON_MAX)));
        }
        let Rules { errors, .. } = r;
        errors.finish(|| {
            Some(NewMovement {
                occurred_at: occurred_at?,
                reference,
                note,
                reason,
                request: request?,
                procedure_code: None,
            })
        })
    }
}

/// `Some` of every line when all parsed.
fn all<T>(lines: Vec<Option<T>>) -> Option<Vec<T>> {
    lines.into_iter().collect()
}

fn field(i: usize, name: &str) -> String {
    format!("lines[{i}].{name}")
}

/// A field a scan may also give: the scan's value, or the request's; `Err` when they differ
/// (reported).
fn agreed<T: PartialEq + std::fmt::Display>(
    r: &mut Rules<'_>,
    name: &str,
    given: Option<T>,
    scanned: Option<T>,
) -> Result<Option<T>, ()> {
    match (given, scanned) {
        (Some(given), Some(scanned)) if given != scanned => {
            r.errors.push(FieldError::new(
                name,
                format!("says {given}, but the scanned code says {scanned}"),
            ));
            Err(())
        }
        (given, scanned) => Ok(scanned.or(given)),
    }
}

/// A field the line needs, from the request or its scan.
fn needed<T: PartialEq + std::fmt::Display>(
    r: &mut Rules<'_>,
    name: &str,
    given: Option<T>,
    scanned: Option<Option<T>>,
    what: &str,
) -> Option<T> {
    let scanning = scanned.is_some();
    match agreed(r, name, given, scanned.flatten()) {
        Ok(Some(value)) => Some(value),
        Ok(None) if scanning => {
            r.errors.push(FieldError::new(
                name,
                format!("is required: the scanned code has no {what}"),
            ));
            None
        }
        Ok(None) => r.required::<()>(name, None).and(None),
        Err(()) => None,
    }
}

/// The line's item: named, or the catalog item of the scanned GTIN.
fn line_item(r: &mut Rules<'_>, i: usize, l: &MovementLineRequest, pack: Option<&ScannedPack>) -> Option<ItemId> {
    if let Some(pack) = pack.filter(|p| p.item.is_none()) {
        let cip13 = pack.code.cip13().map(|c| format!(", CIP13 {c}")).unwrap_or_default();
        r.errors.push(FieldError::new(
            field(i, "scan"),
            format!(
                "no such item: GTIN {}{cip13} is in no item of the catalog",
                pack.code.gtin
            ),
        ));
        return None;
    }
    needed(
        r,
        &field(i, "item_id"),
        l.item_id.map(ItemId),
        pack.map(|p| p.item),
        "GTIN",
    )
}

/// Units: as given; a scan without a quantity is one pack, and a scanned serial is exactly one.
fn line_quantity(r: &mut Rules<'_>, i: usize, l: &MovementLineRequest, pack: Option<&ScannedPack>) -> Option<Quantity> {
    let name = field(i, "quantity");
    let Some(pack) = pack else {
        return r.quantity(&name, l.quantity);
    };
    let quantity = r.errors.check(Quantity::parse(&name, l.quantity.unwrap_or(1)))?;
    if let Some(serial) = pack.code.serial.as_deref().filter(|_| quantity.get() != 1) {
        r.errors.push(FieldError::new(
            name,
            format!("must be 1: the scanned code names one pack (serial {serial})"),
        ));
        return None;
    }
    Some(quantity)
}

/// The lot a scan names, for a line that takes stock: it must have been received.
fn scanned_lot(r: &mut Rules<'_>, i: usize, pack: Option<&ScannedPack>) -> Result<Option<LotId>, ()> {
    let Some(pack) = pack else { return Ok(None) };
    match (pack.item, pack.code.lot_number.as_deref(), pack.lot) {
        (Some(_), Some(number), None) => {
            r.errors.push(FieldError::new(
                field(i, "scan"),
                format!("no such lot: lot {number} of this item was never received"),
            ));
            Err(())
        }
        (_, _, lot) => Ok(lot),
    }
}

fn receipt_line(
    r: &mut Rules<'_>,
    i: usize,
    l: &MovementLineRequest,
    pack: Option<&ScannedPack>,
) -> Option<ReceiptLine> {
    r.absent(&field(i, "lot_id"), &l.lot_id);
    r.absent(&field(i, "counted_quantity"), &l.counted_quantity);
    let code = pack.map(|p| &p.code);
    let quantity = line_quantity(r, i, l, pack);
    let item = line_item(r, i, l, pack);
    let expires_on = needed(
        r,
        &field(i, "expires_on"),
        l.expires_on,
        code.map(|c| c.expires_on),
        "expiry (17)",
    );
    let lot_number = match &l.lot_number {
        Some(number) => r
            .errors
            .check(text::required_text(&field(i, "lot_number"), number, LOT_NUMBER_MAX)),
        None => None,
    };
    let lot_number = needed(
        r,
        &field(i, "lot_number"),
        lot_number,
        code.map(|c| c.lot_number.clone()),
        "lot number (10)",
    );
    let mut serials = Vec::new();
    if l.serials.as_ref().is_some_and(|s| s.len() > SERIALS_MAX) {
        r.errors.push(FieldError::new(
            field(i, "serials"),
            format!("must hold at most {SERIALS_MAX} serials"),
        ));
    }
    for (j, serial) in l.serials.iter().flatten().enumerate() {
        let name = format!("lines[{i}].serials[{j}]");
        if let Some(serial) = r.errors.check(text::required_text(&name, serial, SERIAL_MAX)) {
            if serials.contains(&serial) {
                r.errors.push(FieldError::new(name, "is listed twice"));
            } else {
                serials.push(serial);
            }
        }
    }
    if let Some(serial) = code.and_then(|c| c.serial.clone()) {
        if !serials.is_empty() && serials != [serial.clone()] {
            r.errors.push(FieldError::new(
                field(i, "serials"),
                format!("disagree with the scanned code, which names one pack: serial {serial}"),
            ));
        }
        serials = vec![serial];
    }
    if let Some(q) = quantity {
        if serials.len() > q.get() as usize {
            r.errors.push(FieldError::new(
                field(i, "serials"),
                "lists more serials than units received",
            ));
        }
    }
    Some(ReceiptLine {
        item: item?,
        lot_number: lot_number?,
        expires_on: expires_on?,
        quantity: quantity?,
        serials,
        order_line: l.order_line_id.map(OrderLineId),
    })
}

fn draw_line(r: &mut Rules<'_>, i: usize, l: &MovementLineRequest, pack: Option<&ScannedPack>) -> Option<DrawLine> {
    forbid_receipt_fields(r, i, l);
    r.absent(&field(i, "counted_quantity"), &l.counted_quantity);
    let quantity = line_quantity(r, i, l, pack);
    let item = line_item(r, i, l, pack);
    let lot = scanned_lot(r, i, pack).and_then(|scanned| agreed(r, &field(i, "lot_id"), l.lot_id.map(LotId), scanned));
    Some(DrawLine {
        item: item?,
        lot: lot.ok()?,
        quantity: quantity?,
        serial: pack.and_then(|p| p.code.serial.clone()),
    })
}

fn lot_line(r: &mut Rules<'_>, i: usize, l: &MovementLineRequest, pack: Option<&ScannedPack>) -> Option<LotLine> {
    forbid_receipt_fields(r, i, l);
    r.absent(&field(i, "counted_quantity"), &l.counted_quantity);
    let quantity = line_quantity(r, i, l, pack);
    let item = line_item(r, i, l, pack);
    let lot = match scanned_lot(r, i, pack) {
        Ok(scanned) => needed(
            r,
            &field(i, "lot_id"),
            l.lot_id.map(LotId),
            pack.map(|_| scanned),
            "lot number (10)",
        ),
        Err(()) => None,
    };
    Some(LotLine {
        item: item?,
        lot: lot?,
        quantity: quantity?,
        serial: pack.and_then(|p| p.code.serial.clone()),
    })
}

fn count_line(r: &mut Rules<'_>, i: usize, l: &MovementLineRequest) -> Option<CountLine> {
    forbid_receipt_fields(r, i, l);
    r.absent(&field(i, "quantity"), &l.quantity);
    let lot = r.required(&field(i, "lot_id"), l.lot_id);
    let counted = r.required(&field(i, "counted_quantity"), l.counted_quantity);
    let counted = counted.and_then(|c| r.errors.check(Counted::parse(&field(i, "counted_quantity"), c)));
    let item = r.required(&field(i, "item_id"), l.item_id).map(ItemId);
    Some(CountLine {
        item: item?,
        lot: LotId(lot?),
        counted: counted?,
    })
}

fn forbid_receipt_fields(r: &mut Rules<'_>, i: usize, l: &MovementLineRequest) {
    r.absent(&field(i, "lot_number"), &l.lot_number);
    r.absent(&field(i, "expires_on"), &l.expires_on);
    r.absent(&field(i, "serials"), &l.serials);
    r.absent(&field(i, "order_line_id"), &l.order_line_id);
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MovementQuery {
    pub kind: Option<MovementKind>,
    pub item_id: Option<i64>,
    pub lot_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub location_id: Option<i64>,
    /// First day (inclusive) of `occurred_at`.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive) of `occurred_at`.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub to: Option<NaiveDate>,
}

/// The request checked against its kind, its scans (`read_scans`) matched against the catalog:
/// the one path from a request to a movement, for the API and the web app.
pub(crate) fn checked(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    request: CreateMovementRequest,
    codes: Vec<(usize, Gs1Code)>,
) -> Result<NewMovement, Problem> {
    // Items and lots are never deleted: what a scan names now, it still names when the
    // movement is recorded (which checks the lot against the item again).
    let scans = identify_scans(conn, codes)?;
    Ok(request.into_new_movement(now, &scans)?)
}

/// Record a movement: receipt, dispense, transfer, return, waste or count.
#[utoipa::path(post, path = "/api/v1/movements", tag = "stock", request_body = MovementRequestSchema,
    responses((status = 201, description = "Recorded, with one signed line per lot and location", body = MovementDto),
        (status = 409, description = "insufficient-stock, lot-expired, lot-quarantined, lot-recalled, lot-expiry-mismatch, duplicate-serial, return-exceeds-dispensed, idempotency-key-reused; nothing was written", body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    body: Json<CreateMovementRequest>,
) -> Result<HttpResponse, Problem> {
    let now = clock::now();
    let request = body.into_inner();
    let codes = request.read_scans(now.date())?;
    let policy = state.policy;
    respond(&state, &req, actor, move |conn, actor| {
        let new = checked(conn, now, request, codes)?;
        let movement = record_movement(conn, actor, now, policy, new)?;
        Reply::created(
            format!("/api/v1/movements/{}", movement.id),
            &MovementDto::from(movement),
        )
    })
    .await
}

/// List movements (the ledger), oldest first.
#[utoipa::path(get, path = "/api/v1/movements", tag = "stock", params(MovementQuery, PageParams),
    responses((status = 200, description = "Movements in id order", body = List<MovementDto>)))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<MovementQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<MovementDto>>, Problem> {
    let page = page.page_request()?;
    let q = query.into_inner();
    let filter = MovementFilter {
        kind: q.kind,
        item: q.item_id.map(ItemId),
        lot: q.lot_id.map(LotId),
        patient: q.patient_id.map(PatientId),
        location: q.location_id.map(LocationId),
        from: q.from,
        to: q.to,
    };
    let movements = state.pool.run(move |c| list_movements(c, &filter, page)).await?;
    Ok(web::Json(List::from_page(movements, MovementDto::from)))
}

/// One movement.
#[utoipa::path(get, path = "/api/v1/movements/{id}", tag = "stock", params(("id" = i64, Path, description = "Movement id")),
    responses((status = 200, description = "The movement", body = MovementDto)))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<web::Json<MovementDto>, Problem> {
    let id = MovementId(id.into_inner());
    Ok(web::Json(state.pool.run(move |c| get_movement(c, id)).await?.into()))
}

/// Reverse a movement: a new `reversal` movement with the opposite deltas.
#[utoipa::path(post, path = "/api/v1/movements/{id}/reverse", tag = "stock",
    params(("id" = i64, Path, description = "Movement id")),
    responses((status = 201, description = "The reversal", body = MovementDto),
        (status = 409, description = "already-reversed, not-reversible, insufficient-stock (the stock to take back is gone)", body = Problem, content_type = "application/problem+json")))]
pub async fn reverse(
    state: web::Data<AppState>,
    req: HttpRequest,
    actor: Actor,
    id: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let id = MovementId(id.into_inner());
    let forecast = state.policy.forecast;
    respond(&state, &req, actor, move |conn, actor| {
        let reversal = reverse_movement(conn, actor, clock::now(), forecast, id)?;
        Reply::created(
            format!("/api/v1/movements/{}", reversal.id),
            &MovementDto::from(reversal),
        )
    })
    .await
}
