//! Lots, movements and the rules of the ledger: usability, FEFO.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::catalog::Named;
use super::ids::{ItemId, LocationId, LotId, MovementId, OrderLineId, PatientId};
use super::quantity::{Counted, Quantity};
use super::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LotStatus {
    Available,
    Quarantined,
    Recalled,
}

impl Named for LotStatus {
    const ALL: &'static [Self] = &[LotStatus::Available, LotStatus::Quarantined, LotStatus::Recalled];
    fn as_str(self) -> &'static str {
        match self {
            LotStatus::Available => "available",
            LotStatus::Quarantined => "quarantined",
            LotStatus::Recalled => "recalled",
        }
    }
}

pub const LOT_NUMBER_MAX: usize = 64;
pub const SERIAL_MAX: usize = 64;
pub const REASON_MAX: usize = 500;
pub const REFERENCE_MAX: usize = 100;
pub const NOTE_MAX: usize = 2000;
/// Lines of one movement.
pub const LINES_MAX: usize = 100;
/// Serials on one receipt line.
pub const SERIALS_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub id: LotId,
    pub item_id: ItemId,
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub status: LotStatus,
    pub status_reason: Option<String>,
    pub serials: Vec<String>,
}

/// Why a lot may not be dispensed or transferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    Expired,
    Quarantined,
    Recalled,
}

/// A lot is usable through its `expires_on` date and expired from the day after.
pub fn is_expired(expires_on: NaiveDate, on: NaiveDate) -> bool {
    expires_on < on
}

/// Whether a lot of this status and expiry may be dispensed or transferred on `on`.
pub fn unusable(status: LotStatus, expires_on: NaiveDate, on: NaiveDate) -> Option<Unusable> {
    match status {
        LotStatus::Recalled => Some(Unusable::Recalled),
        LotStatus::Quarantined => Some(Unusable::Quarantined),
        LotStatus::Available if is_expired(expires_on, on) => Some(Unusable::Expired),
        LotStatus::Available => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Receipt,
    Dispense,
    Transfer,
    Return,
    Waste,
    Count,
    Reversal,
}

impl Named for MovementKind {
    const ALL: &'static [Self] = &[
        MovementKind::Receipt,
        MovementKind::Dispense,
        MovementKind::Transfer,
        MovementKind::Return,
        MovementKind::Waste,
        MovementKind::Count,
        MovementKind::Reversal,
    ];
    fn as_str(self) -> &'static str {
        match self {
            MovementKind::Receipt => "receipt",
            MovementKind::Dispense => "dispense",
            MovementKind::Transfer => "transfer",
            MovementKind::Return => "return",
            MovementKind::Waste => "waste",
            MovementKind::Count => "count",
            MovementKind::Reversal => "reversal",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WasteReason {
    Expired,
    Damaged,
    ColdChainBreach,
    Recalled,
    Other,
}

impl Named for WasteReason {
    const ALL: &'static [Self] = &[
        WasteReason::Expired,
        WasteReason::Damaged,
        WasteReason::ColdChainBreach,
        WasteReason::Recalled,
        WasteReason::Other,
    ];
    fn as_str(self) -> &'static str {
        match self {
            WasteReason::Expired => "expired",
            WasteReason::Damaged => "damaged",
            WasteReason::ColdChainBreach => "cold_chain_breach",
            WasteReason::Recalled => "recalled",
            WasteReason::Other => "other",
        }
    }
}

/// A received line: creates the lot when new.
#[derive(Debug, Clone)]
pub struct ReceiptLine {
    pub item: ItemId,
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub quantity: Quantity,
    pub serials: Vec<String>,
    /// The order line this receipt counts against.
    pub order_line: Option<OrderLineId>,
}

/// A line that takes stock out: from a named lot, or by FEFO when none is named.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawLine {
    pub item: ItemId,
    pub lot: Option<LotId>,
    pub quantity: Quantity,
    /// The pack's serial, when it was scanned (then the lot is named and the quantity is 1).
    pub serial: Option<String>,
}

/// A line on one named lot.
#[derive(Debug, Clone)]
pub struct LotLine {
    pub item: ItemId,
    pub lot: LotId,
    pub quantity: Quantity,
    /// The pack's serial, when it was scanned (then the quantity is 1).
    pub serial: Option<String>,
}

/// Where one serialised pack is (EU FMD: a serial is dispensed at most once while it is out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialPlace {
    InStock(LocationId),
    /// With a patient; `None` as a condition: whoever has it, as a target: the same patient.
    Dispensed(Option<PatientId>),
    Wasted,
}

impl SerialPlace {
    pub fn state(self) -> &'static str {
        match self {
            SerialPlace::InStock(_) => "in_stock",
            SerialPlace::Dispensed(_) => "dispensed",
            SerialPlace::Wasted => "wasted",
        }
    }
}

/// One serialised pack and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct SerialRecord {
    pub item_id: ItemId,
    pub serial: String,
    pub lot_id: LotId,
    pub lot_number: String,
    pub place: SerialPlace,
}

/// One ledger line that moved the serial.
#[derive(Debug, Clone, PartialEq)]
pub struct SerialEvent {
    pub movement_id: MovementId,
    pub kind: MovementKind,
    pub occurred_at: NaiveDateTime,
    pub location_id: LocationId,
    pub delta: i64,
    pub patient_id: Option<PatientId>,
}

/// Where a movement's serials must be, and where it leaves them; `None` for kinds that do not
/// move serials one by one (a receipt registers them, a count does not name them). A reversal
/// takes the same step backwards.
pub fn serial_step(
    kind: MovementKind,
    location: LocationId,
    to: Option<LocationId>,
    patient: Option<PatientId>,
) -> Option<(SerialPlace, SerialPlace)> {
    match kind {
        MovementKind::Dispense => Some((SerialPlace::InStock(location), SerialPlace::Dispensed(patient))),
        MovementKind::Transfer => Some((SerialPlace::InStock(location), SerialPlace::InStock(to?))),
        MovementKind::Return => Some((SerialPlace::Dispensed(patient), SerialPlace::InStock(location))),
        MovementKind::Waste => Some((SerialPlace::InStock(location), SerialPlace::Wasted)),
        MovementKind::Receipt | MovementKind::Count | MovementKind::Reversal => None,
    }
}

#[derive(Debug, Clone)]
pub struct CountLine {
    pub item: ItemId,
    pub lot: LotId,
    pub counted: Counted,
}

/// What a movement does, with exactly the fields its kind needs.
#[derive(Debug, Clone)]
pub enum MovementRequest {
    Receipt {
        location: LocationId,
        lines: Vec<ReceiptLine>,
    },
    Dispense {
        location: LocationId,
        patient: PatientId,
        lines: Vec<DrawLine>,
    },
    Transfer {
        from: LocationId,
        to: LocationId,
        lines: Vec<DrawLine>,
    },
    Return {
        location: LocationId,
        patient: Option<PatientId>,
        lines: Vec<LotLine>,
    },
    Waste {
        location: LocationId,
        reason: WasteReason,
        lines: Vec<LotLine>,
    },
    Count {
        location: LocationId,
        lines: Vec<CountLine>,
    },
}

/// A reference a movement line makes, checked before any stock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRef {
    pub index: usize,
    pub item: ItemId,
    pub lot: Option<LotId>,
}

impl MovementRequest {
    /// Where stock leaves or arrives (the source of a transfer).
    pub fn location(&self) -> LocationId {
        match self {
            MovementRequest::Receipt { location, .. }
            | MovementRequest::Dispense { location, .. }
            | MovementRequest::Return { location, .. }
            | MovementRequest::Waste { location, .. }
            | MovementRequest::Count { location, .. } => *location,
            MovementRequest::Transfer { from, .. } => *from,
        }
    }

    pub fn to_location(&self) -> Option<LocationId> {
        match self {
            MovementRequest::Transfer { to, .. } => Some(*to),
            _ => None,
        }
    }

    pub fn patient(&self) -> Option<PatientId> {
        match self {
            MovementRequest::Dispense { patient, .. } => Some(*patient),
            MovementRequest::Return { patient, .. } => *patient,
            _ => None,
        }
    }

    /// Whether new lots may be named (only a receipt creates lots; it also needs active items).
    pub fn receives(&self) -> bool {
        matches!(self, MovementRequest::Receipt { .. })
    }

    /// Every line's item and named lot, in request order.
    pub fn line_refs(&self) -> Vec<LineRef> {
        let refs = |item, lot| (item, lot);
        let pairs: Vec<(ItemId, Option<LotId>)> = match self {
            MovementRequest::Receipt { lines, .. } => lines.iter().map(|l| refs(l.item, None)).collect(),
            MovementRequest::Dispense { lines, .. } | MovementRequest::Transfer { lines, .. } => {
                lines.iter().map(|l| refs(l.item, l.lot)).collect()
            }
            MovementRequest::Return { lines, .. } | MovementRequest::Waste { lines, .. } => {
                lines.iter().map(|l| refs(l.item, Some(l.lot))).collect()
            }
            MovementRequest::Count { lines, .. } => lines.iter().map(|l| refs(l.item, Some(l.lot))).collect(),
        };
        pairs
            .into_iter()
            .enumerate()
            .map(|(index, (item, lot))| LineRef { index, item, lot })
            .collect()
    }

    /// The lines that name a scanned serial: (line index, item, named lot, serial).
    pub fn serials(&self) -> Vec<(usize, ItemId, Option<LotId>, &str)> {
        match self {
            MovementRequest::Dispense { lines, .. } | MovementRequest::Transfer { lines, .. } => lines
                .iter()
                .enumerate()
                .filter_map(|(i, l)| Some((i, l.item, l.lot, l.serial.as_deref()?)))
                .collect(),
            MovementRequest::Return { lines, .. } | MovementRequest::Waste { lines, .. } => lines
                .iter()
                .enumerate()
                .filter_map(|(i, l)| Some((i, l.item, Some(l.lot), l.serial.as_deref()?)))
                .collect(),
            MovementRequest::Receipt { .. } | MovementRequest::Count { .. } => Vec::new(),
        }
    }

    /// The (item, location) pairs whose balances the movement changes.
    pub fn touched(&self) -> Vec<(ItemId, LocationId)> {
        let location = self.location();
        let mut pairs = Vec::new();
        for line in self.line_refs() {
            pairs.push((line.item, location));
            if let Some(to) = self.to_location() {
                pairs.push((line.item, to));
            }
        }
        pairs
    }

    pub fn kind(&self) -> MovementKind {
        match self {
            MovementRequest::Receipt { .. } => MovementKind::Receipt,
            MovementRequest::Dispense { .. } => MovementKind::Dispense,
            MovementRequest::Transfer { .. } => MovementKind::Transfer,
            MovementRequest::Return { .. } => MovementKind::Return,
            MovementRequest::Waste { .. } => MovementKind::Waste,
            MovementRequest::Count { .. } => MovementKind::Count,
        }
    }
}

/// A validated movement to record.
#[derive(Debug, Clone)]
pub struct NewMovement {
    pub occurred_at: NaiveDateTime,
    pub reference: Option<String>,
    pub note: Option<String>,
    /// Free text on why (waste carries its enum reason in the request instead).
    pub reason: Option<String>,
    pub request: MovementRequest,
    /// The procedure a dispense records, e.g. `refill`.
    pub procedure_code: Option<String>,
}

/// One stored line of the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct MovementLine {
    pub line_index: u32,
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub lot_number: String,
    pub expires_on: NaiveDate,
    pub location_id: LocationId,
    pub delta: i64,
    pub counted_quantity: Option<i64>,
    /// The serialised pack this line moved, when it was scanned.
    pub serial: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    pub id: MovementId,
    pub kind: MovementKind,
    pub occurred_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
    pub actor_name: String,
    pub actor_role: Role,
    pub location_id: Option<LocationId>,
    pub to_location_id: Option<LocationId>,
    pub patient_id: Option<PatientId>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub reverses_movement_id: Option<MovementId>,
    pub reversed_by_movement_id: Option<MovementId>,
    pub procedure_code: Option<String>,
    pub lines: Vec<MovementLine>,
}

#[derive(Debug, Clone, Default)]
pub struct MovementFilter {
    pub kind: Option<MovementKind>,
    pub item: Option<ItemId>,
    pub lot: Option<LotId>,
    pub patient: Option<PatientId>,
    pub location: Option<LocationId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Stock of one lot at one location that FEFO may draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FefoCandidate {
    pub lot: LotId,
    pub expires_on: NaiveDate,
    pub quantity: i64,
}

/// Not enough usable stock: how much there was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub available: i64,
}

/// First expiry, first out: takes `quantity` from the earliest-expiring lots, splitting across
/// lots when one is not enough; ties go to the older lot (lower id). Candidates must already be
/// usable on the movement's date.
pub fn plan_fefo(candidates: &[FefoCandidate], quantity: Quantity) -> Result<Vec<(LotId, i64)>, Shortfall> {
    let mut ordered: Vec<FefoCandidate> = candidates.iter().copied().filter(|c| c.quantity > 0).collect();
    ordered.sort_by_key(|c| (c.expires_on, c.lot));
    let available: i64 = ordered.iter().map(|c| c.quantity).sum();
    let mut remaining = quantity.as_i64();
    if available < remaining {
        return Err(Shortfall { available });
    }
    let mut plan = Vec::new();
    for candidate in ordered {
        if remaining == 0 {
            break;
        }
        let take = remaining.min(candidate.quantity);
        plan.push((candidate.lot, take));
        remaining -= take;
    }
    Ok(plan)
}

/// Units of a balance that a line without a scan may take: neither the units a cold-chain
/// excursion holds nor the serialised packs the registry has there (those leave by their scan,
/// so that the registry always knows where each pack is). Which of the held units are packs is
/// not known: both bounds apply.
pub fn drawable_unscanned(quantity: i64, held: i64, serials_in_stock: i64) -> i64 {
    (quantity - held.max(serials_in_stock)).max(0)
}

/// A balance must hold at least the packs the serial registry says are in stock there.
pub fn serials_fit(quantity: i64, serials_in_stock: i64) -> bool {
    serials_in_stock <= quantity
}

/// Not enough stock for one line: what was asked and what there was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insufficient {
    pub item: ItemId,
    pub location: LocationId,
    pub requested: i64,
    pub available: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
    }

    fn candidate(lot: i64, expires: u32, quantity: i64) -> FefoCandidate {
        FefoCandidate {
            lot: LotId(lot),
            expires_on: day(expires),
            quantity,
        }
    }

    #[test]
    fn earliest_expiry_goes_first_and_splits() {
        let lots = [candidate(1, 20, 5), candidate(2, 10, 3), candidate(3, 15, 4)];
        let plan = plan_fefo(&lots, Quantity::new(6).unwrap()).unwrap();
        assert_eq!(plan, vec![(LotId(2), 3), (LotId(3), 3)]);
        let plan = plan_fefo(&lots, Quantity::new(2).unwrap()).unwrap();
        assert_eq!(plan, vec![(LotId(2), 2)]);
    }

    #[test]
    fn ties_go_to_the_older_lot_and_empty_lots_are_skipped() {
        let lots = [candidate(9, 10, 2), candidate(4, 10, 2), candidate(1, 5, 0)];
        assert_eq!(
            plan_fefo(&lots, Quantity::new(3).unwrap()).unwrap(),
            vec![(LotId(4), 2), (LotId(9), 1)]
        );
    }

    #[test]
    fn shortfall_reports_what_there_is() {
        let lots = [candidate(1, 20, 5), candidate(2, 10, 3)];
        assert_eq!(
            plan_fefo(&lots, Quantity::new(9).unwrap()),
            Err(Shortfall { available: 8 })
        );
        assert_eq!(
            plan_fefo(&[], Quantity::new(1).unwrap()),
            Err(Shortfall { available: 0 })
        );
    }

    #[test]
    fn unscanned_lines_leave_held_units_and_serialised_packs() {
        assert_eq!(drawable_unscanned(10, 0, 0), 10);
        assert_eq!(drawable_unscanned(10, 4, 0), 6);
        assert_eq!(drawable_unscanned(10, 0, 3), 7);
        assert_eq!(drawable_unscanned(10, 4, 3), 6, "held packs are counted once");
        assert_eq!(drawable_unscanned(3, 0, 3), 0, "all packs: only by scan");
        assert_eq!(drawable_unscanned(2, 0, 3), 0, "never negative");
        assert!(serials_fit(3, 3) && !serials_fit(2, 3));
    }

    #[test]
    fn usability_follows_status_then_expiry() {
        assert_eq!(
            unusable(LotStatus::Available, day(10), day(10)),
            None,
            "usable through its date"
        );
        assert_eq!(
            unusable(LotStatus::Available, day(10), day(11)),
            Some(Unusable::Expired)
        );
        assert_eq!(
            unusable(LotStatus::Quarantined, day(30), day(1)),
            Some(Unusable::Quarantined)
        );
        assert_eq!(unusable(LotStatus::Recalled, day(1), day(30)), Some(Unusable::Recalled));
    }
}
