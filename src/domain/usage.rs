//! Who received what, from which lot: net of returns and of reversed movements.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::ids::{ItemId, LotId, MovementId, PatientId};
use super::ledger::MovementKind;

/// One line of a dispensation (positive quantity) or of a return (negative), for one patient.
/// Reversed movements and reversals never appear: they cancel out.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageEntry {
    pub movement_id: MovementId,
    pub kind: MovementKind,
    pub occurred_at: NaiveDateTime,
    pub patient_id: PatientId,
    pub patient_reference: String,
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub lot_number: String,
    pub quantity: i64,
    /// The serialised pack, when the line was scanned.
    pub serial: Option<String>,
}

/// Net units per item, in item order.
pub fn totals_by_item(entries: &[UsageEntry]) -> Vec<(ItemId, i64)> {
    let mut totals: BTreeMap<ItemId, i64> = BTreeMap::new();
    for e in entries {
        *totals.entry(e.item_id).or_default() += e.quantity;
    }
    totals.into_iter().collect()
}

/// Net units per patient and item, in (patient, item) order.
pub fn totals_by_patient(entries: &[UsageEntry]) -> Vec<(PatientId, String, ItemId, i64)> {
    let mut totals: BTreeMap<(PatientId, ItemId), (String, i64)> = BTreeMap::new();
    for e in entries {
        let slot = totals
            .entry((e.patient_id, e.item_id))
            .or_insert_with(|| (e.patient_reference.clone(), 0));
        slot.1 += e.quantity;
    }
    totals
        .into_iter()
        .map(|((patient, item), (reference, quantity))| (patient, reference, item, quantity))
        .collect()
}

/// A patient who holds units of a recalled lot.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub patient_id: PatientId,
    pub patient_reference: String,
    /// Net of returns.
    pub quantity: i64,
    /// Every dispensation (positive) and return (negative) of the lot to this patient.
    pub movements: Vec<(MovementId, NaiveDateTime, i64)>,
    /// The serialised packs of the lot the patient holds.
    pub serials: Vec<String>,
}

/// Everyone who still holds units of one lot, in patient order; whoever returned all they got
/// is left out.
pub fn recipients(entries: &[UsageEntry]) -> Vec<Recipient> {
    let mut by_patient: BTreeMap<PatientId, Recipient> = BTreeMap::new();
    for e in entries {
        let r = by_patient.entry(e.patient_id).or_insert_with(|| Recipient {
            patient_id: e.patient_id,
            patient_reference: e.patient_reference.clone(),
            quantity: 0,
            movements: Vec::new(),
            serials: Vec::new(),
        });
        r.quantity += e.quantity;
        if let Some(serial) = &e.serial {
            if e.quantity > 0 {
                r.serials.push(serial.clone());
            } else {
                r.serials.retain(|s| s != serial);
            }
        }
        // Entries come in movement order: one dispense taking the lot on several lines (FEFO
        // splits, several request lines) follows itself.
        match r.movements.last_mut() {
            Some(last) if last.0 == e.movement_id => last.2 += e.quantity,
            _ => r.movements.push((e.movement_id, e.occurred_at, e.quantity)),
        }
    }
    by_patient.into_values().filter(|r| r.quantity > 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(movement: i64, patient: i64, item: i64, quantity: i64) -> UsageEntry {
        UsageEntry {
            movement_id: MovementId(movement),
            kind: if quantity > 0 {
                MovementKind::Dispense
            } else {
                MovementKind::Return
            },
            occurred_at: chrono::NaiveDate::from_ymd_opt(2026, 5, 1)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            patient_id: PatientId(patient),
            patient_reference: format!("P{patient}"),
            item_id: ItemId(item),
            lot_id: LotId(7),
            lot_number: "L7".into(),
            quantity,
            serial: None,
        }
    }

    #[test]
    fn totals_are_net_of_returns() {
        let entries = [
            entry(1, 1, 1, 2),
            entry(1, 1, 1, 1),
            entry(2, 1, 2, 1),
            entry(3, 1, 1, -1),
            entry(4, 2, 1, 2),
        ];
        assert_eq!(totals_by_item(&entries), vec![(ItemId(1), 4), (ItemId(2), 1)]);
        let per_patient = totals_by_patient(&entries);
        assert_eq!(per_patient[0], (PatientId(1), "P1".into(), ItemId(1), 2));
        assert_eq!(per_patient[2], (PatientId(2), "P2".into(), ItemId(1), 2));
    }

    #[test]
    fn recipients_merge_split_lines_and_drop_full_returns() {
        let entries = [
            entry(1, 1, 1, 2),
            entry(1, 1, 1, 1),
            entry(2, 2, 1, 1),
            entry(3, 2, 1, -1),
            entry(4, 3, 1, 1),
        ];
        let list = recipients(&entries);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].quantity, 3);
        assert_eq!(list[0].movements, vec![(MovementId(1), entries[0].occurred_at, 3)]);
        assert_eq!(list[1].patient_id, PatientId(3));
    }
}
