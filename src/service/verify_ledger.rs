//! `mipstock verify`: every invariant of the store, recomputed from the ledger.

use std::collections::BTreeMap;

use crate::db::{read_snapshot, DbConnection, StorageError};
use crate::repo;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub balances_checked: usize,
    pub ledger_pairs_checked: usize,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads one consistent snapshot (safe beside a running server) and lists what is wrong.
pub fn verify_ledger(conn: &mut DbConnection) -> Result<VerifyReport, StorageError> {
    read_snapshot(conn, |conn| {
        let mut report = VerifyReport::default();

        let sums = repo::balances::ledger_sums(conn)?;
        let stored = repo::balances::all(conn)?;
        report.ledger_pairs_checked = sums.len();
        report.balances_checked = stored.len();
        let mut expected: BTreeMap<(i64, i64), i64> =
            sums.into_iter().map(|(lot, loc, sum)| ((lot, loc), sum)).collect();
        for (lot, location, _item, quantity) in &stored {
            if *quantity < 0 {
                report.problems.push(format!(
                    "negative balance: lot {lot} at location {location} holds {quantity}"
                ));
            }
            let ledger = expected.remove(&(*lot, *location)).unwrap_or(0);
            if ledger != *quantity {
                report.problems.push(format!(
                    "balance differs from ledger: lot {lot} at location {location} stores {quantity}, ledger sums to {ledger}"
                ));
            }
        }
        for ((lot, location), ledger) in expected {
            if ledger != 0 {
                report.problems.push(format!(
                    "no balance row for lot {lot} at location {location}; ledger sums to {ledger}"
                ));
            }
        }
        for (movement, line_item, lot_item) in repo::movements::lines_with_foreign_lot(conn)? {
            report.problems.push(format!(
                "movement {movement}: a line of item {line_item} names a lot of item {lot_item}"
            ));
        }
        for (movement, kind, delta) in repo::movements::lines_with_wrong_sign(conn)? {
            report
                .problems
                .push(format!("movement {movement}: a {kind} line has delta {delta}"));
        }
        for movement in repo::movements::dispenses_without_patient(conn)? {
            report
                .problems
                .push(format!("movement {movement}: a dispensation names no patient"));
        }
        for (patient, lot, held) in repo::patients::negative_holdings(conn)? {
            report.problems.push(format!(
                "patient {patient} holds {held} unit(s) of lot {lot}: more came back than was dispensed"
            ));
        }
        for repo::movements::ReversalNet {
            reversal,
            original,
            lot,
            location,
            net,
        } in repo::movements::reversal_nets(conn)?
        {
            if net != 0 {
                report.problems.push(format!(
                    "reversal {reversal} does not cancel movement {original}: lot {lot} at location {location} nets {net}"
                ));
            }
        }
        // Per lot: nothing on the shelves or with patients that did not come in.
        let mut shelves: BTreeMap<i64, i64> = BTreeMap::new();
        for (lot, _location, _item, quantity) in &stored {
            *shelves.entry(*lot).or_default() += quantity;
        }
        for account in repo::patients::lot_accounts(conn)? {
            let on_shelves = shelves.get(&account.lot).copied().unwrap_or(0);
            let with_patients = account.with_patients.max(0);
            let came_in = account.received + account.count_gains - account.wasted;
            if on_shelves + with_patients > came_in {
                report.problems.push(format!(
                    "lot {}: {on_shelves} unit(s) on the shelves and {with_patients} with patients, but only {came_in} came in (received {}, found by counts {}, wasted {})",
                    account.lot, account.received, account.count_gains, account.wasted
                ));
            }
            if account.with_patients < 0 {
                report.problems.push(format!(
                    "lot {}: {} more unit(s) came back from patients than were out with them",
                    account.lot, -account.with_patients
                ));
            }
        }
        for (lot, location, serials, quantity) in repo::serials::beyond_balance(conn)? {
            report.problems.push(format!(
                "lot {lot} at location {location}: {serials} serialised pack(s) in stock, the balance holds {quantity}"
            ));
        }
        for (item, serial, out) in repo::serials::out_more_than_once(conn)? {
            report.problems.push(format!(
                "item {item}: serial {serial} is out with patients {out} times at once"
            ));
        }
        // Held units (cold chain) are exactly what the undecided holds of each balance say.
        let mut holds: BTreeMap<(i64, i64), i64> = repo::excursions::undecided_per_balance(conn)?
            .into_iter()
            .map(|(lot, location, held)| ((lot, location), held))
            .collect();
        for (lot, location, held) in repo::balances::held(conn)? {
            let undecided = holds.remove(&(lot, location)).unwrap_or(0);
            if undecided != held {
                report.problems.push(format!(
                    "lot {lot} at location {location}: {held} unit(s) held, undecided excursion holds say {undecided}"
                ));
            }
        }
        for ((lot, location), undecided) in holds {
            report.problems.push(format!(
                "lot {lot} at location {location}: undecided excursion holds of {undecided} unit(s), none held"
            ));
        }
        Ok(report)
    })
}
