//! A procedure performed for a patient, as an edge receives it: lines that change the bundle's
//! quantities (`item_id` + `quantity`) and lines that name a scanned box (`scan`), checked into
//! the `ProcedureRequest` that `perform_procedure` takes. The web app's refill by scan and the
//! API's `POST /patients/{id}/procedures` go through here alike.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::db::DbConnection;
use crate::domain::gs1::{self, Gs1Code};
use crate::domain::ids::{ItemId, LocationId, PatientId};
use crate::domain::ledger::{MovementKind, MovementRequest};
use crate::domain::procedure::{self, BundleLine};
use crate::domain::quantity::Quantity;
use crate::domain::time;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::perform_procedure::ProcedureRequest;

use super::movement::{parse_movement, renumber_lines, MovementInput, MovementInputError, MovementLineInput};

/// One line of a procedure as received: an item and its quantity, or a scanned box.
#[derive(Debug, Clone, Default)]
pub struct ProcedureLineInput {
    pub item_id: Option<i64>,
    pub quantity: Option<i64>,
    pub scan: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ProcedureInput {
    pub procedure: String,
    pub location_id: i64,
    pub occurred_at: Option<DateTime<Utc>>,
    pub lines: Vec<ProcedureLineInput>,
}

impl ProcedureInput {
    /// Reads every scanned line's code: (line index, what it says).
    pub fn read_scans(&self, today: NaiveDate) -> Result<Vec<(usize, Gs1Code)>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut codes = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(data) = &line.scan {
                if let Some(code) = errors.check(gs1::read(&format!("lines[{i}].scan"), data, today)) {
                    codes.push((i, code));
                }
            }
        }
        errors.finish(|| Some(codes))
    }
}

/// The procedure `input` asks for `patient`, its scanned boxes checked as a dispensation's
/// scanned lines are (each from its own lot, one pack a serial); `codes` from `read_scans`.
pub fn parse_procedure(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    patient: PatientId,
    input: ProcedureInput,
    codes: Vec<(usize, Gs1Code)>,
) -> Result<ProcedureRequest, MovementInputError> {
    let mut errors = FieldErrors::default();
    let code = errors.check(procedure::parse_code("procedure", &input.procedure));
    let occurred_at = match input.occurred_at {
        None => Some(now),
        Some(at) => errors.check(time::occurred_at(at, now)),
    };
    if input.lines.len() > procedure::LINES_MAX {
        errors.push(FieldError::new(
            "lines",
            format!("at most {} lines", procedure::LINES_MAX),
        ));
    }
    let mut overrides: Vec<BundleLine> = Vec::new();
    let mut scanned_rows = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        if line.scan.is_some() {
            scanned_rows.push(i);
            continue;
        }
        let field = |name: &str| format!("lines[{i}].{name}");
        let item = match line.item_id {
            Some(item) => Some(ItemId(item)),
            None => {
                errors.push(FieldError::new(
                    field("item_id"),
                    "is required unless the line has a scan",
                ));
                None
            }
        };
        let quantity = match line.quantity {
            Some(q) => errors.check(Quantity::parse(&field("quantity"), q)),
            None => {
                errors.push(FieldError::new(
                    field("quantity"),
                    "is required unless the line has a scan",
                ));
                None
            }
        };
        if let (Some(item), Some(quantity)) = (item, quantity) {
            if overrides.iter().any(|l| l.item == item) {
                errors.push(FieldError::new(field("item_id"), "is listed twice"));
            } else {
                overrides.push(BundleLine { item, quantity });
            }
        }
    }
    // The scanned boxes as a dispensation's lines would be: its rules, its messages.
    let dispense = MovementInput {
        kind: MovementKind::Dispense,
        occurred_at: input.occurred_at,
        location_id: Some(input.location_id),
        to_location_id: None,
        patient_id: Some(patient.0),
        reason: None,
        reference: None,
        note: None,
        lines: scanned_rows
            .iter()
            .map(|&i| MovementLineInput {
                item_id: input.lines[i].item_id,
                quantity: input.lines[i].quantity,
                scan: input.lines[i].scan.clone(),
                ..MovementLineInput::default()
            })
            .collect(),
    };
    let codes: Vec<(usize, Gs1Code)> = codes
        .into_iter()
        .filter_map(|(i, code)| scanned_rows.iter().position(|&row| row == i).map(|k| (k, code)))
        .collect();
    let scanned = if scanned_rows.is_empty() {
        Vec::new()
    } else {
        match parse_movement(conn, now, dispense, codes) {
            Ok(new) => match new.request {
                MovementRequest::Dispense { lines, .. } => lines,
                _ => Vec::new(),
            },
            Err(MovementInputError::Invalid(mut invalid)) => {
                renumber_lines(&mut invalid.0, &scanned_rows);
                // Only the lines' own messages: the rest is this input's to say.
                errors
                    .0
                    .extend(invalid.0.into_iter().filter(|e| e.field.starts_with("lines[")));
                Vec::new()
            }
            Err(other) => return Err(other),
        }
    };
    Ok(errors.finish(|| {
        Some(ProcedureRequest {
            patient,
            procedure: code?,
            location: LocationId(input.location_id),
            occurred_at: occurred_at?,
            overrides,
            scanned,
        })
    })?)
}
