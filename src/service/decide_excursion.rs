//! A pharmacist decides on one lot an excursion held: released, its units are usable again;
//! destroyed, they leave as waste (`cold_chain_breach`). Once per lot; the alert resolves when
//! every held lot is decided.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::cold_chain::{excursion_condition, Decision, Excursion};
use crate::domain::ids::{ExcursionId, LotId};
use crate::domain::ledger::{LotLine, MovementRequest, NewMovement, WasteReason};
use crate::domain::policy::Policy;
use crate::domain::quantity::Quantity;
use crate::domain::token::Actor;
use crate::repo;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::excursions::Decided;

use super::evaluate_alerts;
use super::record_movement::{record_in_tx, RecordMovementError};

#[derive(Debug, thiserror::Error)]
pub enum DecideExcursionError {
    #[error("no excursion {0}")]
    NotFound(ExcursionId),
    #[error("excursion {excursion} held nothing of lot {lot}")]
    NotHeld { excursion: ExcursionId, lot: LotId },
    #[error("lot {lot} of excursion {excursion} was already {outcome}")]
    AlreadyDecided {
        excursion: ExcursionId,
        lot: LotId,
        outcome: &'static str,
    },
    #[error("destroying the held units failed: {0}")]
    Destroy(Box<RecordMovementError>),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(DecideExcursionError);

impl From<RecordMovementError> for DecideExcursionError {
    fn from(e: RecordMovementError) -> DecideExcursionError {
        match e {
            RecordMovementError::Storage(s) => DecideExcursionError::Storage(s),
            other => DecideExcursionError::Destroy(Box::new(other)),
        }
    }
}

/// What a pharmacist decided on one held lot.
#[derive(Debug, Clone)]
pub struct HoldDecision {
    pub lot: LotId,
    pub decision: Decision,
    pub note: Option<String>,
}

pub fn decide_excursion(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    policy: Policy,
    id: ExcursionId,
    request: HoldDecision,
) -> Result<Excursion, DecideExcursionError> {
    let HoldDecision { lot, decision, note } = request;
    write_tx(conn, |conn| {
        repo::excursions::lock(conn, id)?;
        let excursion = repo::excursions::find(conn, id)?.ok_or(DecideExcursionError::NotFound(id))?;
        let hold = excursion
            .held
            .iter()
            .find(|h| h.lot_id == lot)
            .ok_or(DecideExcursionError::NotHeld { excursion: id, lot })?;
        if let Some(done) = hold.decision {
            return Err(DecideExcursionError::AlreadyDecided {
                excursion: id,
                lot,
                outcome: done.outcome(),
            });
        }
        let location = excursion.location_id;
        repo::balances::lock(conn, &[(hold.item_id, location)])?;
        if !repo::balances::release(conn, lot, location, hold.quantity, now)? {
            return Err(StorageError::Invariant(format!(
                "excursion {id} holds {} of lot {lot} at location {location}, the balance less",
                hold.quantity
            ))
            .into());
        }
        // Destroyed: the units, released from the hold in this same transaction, leave as waste,
        // and so do the serialised packs among them that the balance left would not hold.
        if decision == Decision::Destroy {
            let serials = repo::serials::in_stock_at(conn, lot, location)?;
            let left = repo::balances::quantity(conn, lot, location)? - hold.quantity;
            repo::serials::waste_in_stock(conn, lot, location, serials - left)?;
        }
        let movement = match (decision, Quantity::new(hold.quantity)) {
            (Decision::Destroy, Some(quantity)) => Some(record_in_tx(
                conn,
                actor,
                now,
                policy,
                &NewMovement {
                    occurred_at: now,
                    reference: Some(format!("excursion {id}")),
                    note: note.clone(),
                    reason: None,
                    request: MovementRequest::Waste {
                        location,
                        reason: WasteReason::ColdChainBreach,
                        lines: vec![LotLine {
                            item: hold.item_id,
                            lot,
                            quantity,
                            serial: None,
                        }],
                    },
                    procedure_code: None,
                },
            )?),
            _ => None,
        };
        let decided = Decided {
            decision,
            by: &actor.name,
            note: note.as_deref(),
            movement,
            at: now,
        };
        if !repo::excursions::decide(conn, id, lot, &decided)? {
            return Err(
                StorageError::Invariant(format!("lot {lot} of excursion {id} decided twice while locked")).into(),
            );
        }
        let decided = repo::excursions::find(conn, id)?
            .ok_or_else(|| StorageError::Invariant(format!("excursion {id} vanished inside its own transaction")))?;
        if !decided.is_open() {
            repo::alerts::resolve(conn, &excursion_condition(id), now)?;
        }
        evaluate_alerts::after_stock_change(conn, &[(hold.item_id, location)], &[lot], policy.forecast, now)?;
        audit::record(
            conn,
            actor,
            now,
            AuditEntry {
                action: "excursion.decide",
                target_type: "excursion",
                target_id: id.to_string(),
                summary: format!(
                    "{} {} unit(s) of lot {lot} held by excursion {id}",
                    decision.outcome(),
                    hold.quantity
                ),
            },
        )?;
        Ok(decided)
    })
}
