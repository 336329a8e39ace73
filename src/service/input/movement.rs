//! A movement as any edge receives it, checked against its kind into the typed `NewMovement`
//! that `record_movement` takes: which fields each kind needs or forbids, scans read and
//! matched against the catalog, every invalid field reported at once.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::db::DbConnection;
use crate::domain::catalog::Named;
use crate::domain::gs1::{self, Gs1Code, ScannedPack};
use crate::domain::ids::{ItemId, LocationId, LotId, OrderLineId, PatientId};
use crate::domain::ledger::{
    CountLine, DrawLine, LotLine, MovementKind, MovementRequest, NewMovement, ReceiptLine, WasteReason, LINES_MAX,
    LOT_NUMBER_MAX, NOTE_MAX, REASON_MAX, REFERENCE_MAX, SERIALS_MAX, SERIAL_MAX,
};
use crate::domain::quantity::{Counted, Quantity};
use crate::domain::text;
use crate::domain::time;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::read_catalog::{identify_scans, ReadError};

#[derive(Debug, thiserror::Error)]
pub enum MovementInputError {
    #[error("invalid movement")]
    Invalid(#[from] FieldErrors),
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// One line of a movement as an edge received it, before it is checked; which fields a line
/// needs depends on the movement's kind.
#[derive(Debug, Default, Clone)]
pub struct MovementLineInput {
    /// Required unless `scan` gives it.
    pub item_id: Option<i64>,
    /// Units, 1–100000; omitted on a `count` line.
    pub quantity: Option<i64>,
    /// Required on return, waste and count; optional on dispense and transfer (FEFO when absent).
    pub lot_id: Option<i64>,
    /// Receipt only: the manufacturer's lot number.
    pub lot_number: Option<String>,
    /// Receipt only.
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

/// A movement as an edge received it (a JSON body, a form, the simulation), before it is
/// checked against its kind: the one path from any edge to `record_movement`.
#[derive(Debug, Clone)]
pub struct MovementInput {
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
    pub lines: Vec<MovementLineInput>,
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

impl MovementInput {
    /// Reads every line's scan: (line index, what its code says).
    pub fn read_scans(&self, today: NaiveDate) -> Result<Vec<(usize, Gs1Code)>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut codes = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let Some(data) = &line.scan else { continue };
            if self.kind == MovementKind::Count {
                errors.push(FieldError::new(field(i, "scan"), "is not used by count"));
            } else if let Some(code) = errors.check(gs1::read(&field(i, "scan"), data, today)) {
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
fn line_item(r: &mut Rules<'_>, i: usize, l: &MovementLineInput, pack: Option<&ScannedPack>) -> Option<ItemId> {
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
fn line_quantity(r: &mut Rules<'_>, i: usize, l: &MovementLineInput, pack: Option<&ScannedPack>) -> Option<Quantity> {
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

fn receipt_line(r: &mut Rules<'_>, i: usize, l: &MovementLineInput, pack: Option<&ScannedPack>) -> Option<ReceiptLine> {
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

fn draw_line(r: &mut Rules<'_>, i: usize, l: &MovementLineInput, pack: Option<&ScannedPack>) -> Option<DrawLine> {
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

fn lot_line(r: &mut Rules<'_>, i: usize, l: &MovementLineInput, pack: Option<&ScannedPack>) -> Option<LotLine> {
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

fn count_line(r: &mut Rules<'_>, i: usize, l: &MovementLineInput) -> Option<CountLine> {
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

fn forbid_receipt_fields(r: &mut Rules<'_>, i: usize, l: &MovementLineInput) {
    r.absent(&field(i, "lot_number"), &l.lot_number);
    r.absent(&field(i, "expires_on"), &l.expires_on);
    r.absent(&field(i, "serials"), &l.serials);
    r.absent(&field(i, "order_line_id"), &l.order_line_id);
}

/// The input checked against its kind, its scans (`read_scans`) matched against the catalog:
/// the one path from an edge's request to a movement.
pub fn parse_movement(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    request: MovementInput,
    codes: Vec<(usize, Gs1Code)>,
) -> Result<NewMovement, MovementInputError> {
    // Items and lots are never deleted: what a scan names now, it still names when the
    // movement is recorded (which checks the lot against the item again).
    let scans = identify_scans(conn, codes)?;
    Ok(request.into_new_movement(now, &scans)?)
}

/// A movement's errors name its lines `lines[k]`; where those lines are rows `rows[k]` of what
/// the edge received (a procedure's scanned lines, a form's filled-in rows), they are renamed so.
pub fn renumber_lines(errors: &mut [FieldError], rows: &[usize]) {
    for error in errors {
        let Some(rest) = error.field.strip_prefix("lines[") else {
            continue;
        };
        let Some((k, tail)) = rest.split_once(']') else {
            continue;
        };
        if let Some(row) = k.parse::<usize>().ok().and_then(|k| rows.get(k)) {
            error.field = format!("lines[{row}]{tail}");
        }
    }
}
