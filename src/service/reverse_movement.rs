//! Corrections are new movements: a reversal carries the opposite of every line of the
//! original. Nothing in the ledger is edited or deleted.

use crate::db::{write_tx, DbConnection, StorageError};
use crate::domain::ids::{ItemId, LocationId, MovementId};
use crate::domain::ledger::{Insufficient, Movement, MovementKind};
use crate::domain::token::Actor;
use crate::repo::audit::{self, AuditEntry};
use crate::repo::movements::{MovementHeader, NewLine};
use crate::repo::{self, now};

use super::evaluate_alerts;
use super::record_movement::{take_exactly, RecordMovementError};

#[derive(Debug, thiserror::Error)]
pub enum ReverseMovementError {
    #[error("no movement {0}")]
    NotFound(MovementId),
    #[error("movement {0} is a reversal; record a new movement instead")]
    NotReversible(MovementId),
    #[error("movement {original} was already reversed by movement {by}")]
    AlreadyReversed { original: MovementId, by: MovementId },
    #[error("the stock this reversal must take back is no longer there")]
    InsufficientStock(Insufficient),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
super::storage_errors!(ReverseMovementError);

pub fn reverse_movement(
    conn: &mut DbConnection,
    actor: &Actor,
    id: MovementId,
) -> Result<Movement, ReverseMovementError> {
    write_tx(conn, |conn| {
        let original = repo::movements::find(conn, id)?.ok_or(ReverseMovementError::NotFound(id))?;
        if original.kind == MovementKind::Reversal {
            return Err(ReverseMovementError::NotReversible(id));
        }
        if let Some(by) = original.reversed_by_movement_id {
            return Err(ReverseMovementError::AlreadyReversed { original: id, by });
        }
        let pairs: Vec<(ItemId, LocationId)> = original.lines.iter().map(|l| (l.item_id, l.location_id)).collect();
        repo::balances::lock(conn, &pairs)?;
        let recorded_at = now();
        let header = MovementHeader {
            kind: MovementKind::Reversal,
            occurred_at: recorded_at,
            recorded_at,
            location: original.location_id,
            to_location: original.to_location_id,
            patient: original.patient_id,
            reason: Some("reversal"),
            reference: original.reference.as_deref(),
            note: None,
            actor,
            reverses: Some(id),
            procedure_code: original.procedure_code.as_deref(),
        };
        // The unique reverses_movement_id settles a race between two reversals.
        let Some(reversal) = repo::movements::insert(conn, &header)? else {
            let by = repo::movements::find(conn, id)?
                .and_then(|m| m.reversed_by_movement_id)
                .unwrap_or(id);
            return Err(ReverseMovementError::AlreadyReversed { original: id, by });
        };
        for line in original.lines.iter().filter(|l| l.delta != 0) {
            let opposite = -line.delta;
            if opposite > 0 {
                repo::balances::add(conn, line.item_id, line.lot_id, line.location_id, opposite)?;
            } else {
                take_exactly(conn, line.item_id, line.lot_id, line.location_id, -opposite).map_err(|e| match e {
                    RecordMovementError::InsufficientStock(short) => ReverseMovementError::InsufficientStock(short),
                    RecordMovementError::Storage(s) => ReverseMovementError::Storage(s),
                    other => ReverseMovementError::Storage(StorageError::Unavailable(other.to_string())),
                })?;
            }
            let written = NewLine {
                line_index: line.line_index,
                item: line.item_id,
                lot: line.lot_id,
                location: line.location_id,
                delta: opposite,
                counted_quantity: None,
            };
            repo::movements::insert_line(conn, reversal, &written)?;
        }
        let pairs: Vec<(ItemId, LocationId)> = original.lines.iter().map(|l| (l.item_id, l.location_id)).collect();
        let lots: Vec<_> = original.lines.iter().map(|l| l.lot_id).collect();
        evaluate_alerts::after_stock_change(conn, &pairs, &lots, recorded_at)?;
        audit::record(
            conn,
            actor,
            AuditEntry {
                action: "movement.reverse",
                target_type: "movement",
                target_id: id.to_string(),
                summary: format!("reversed movement {id} by movement {reversal}"),
            },
        )?;
        repo::movements::find(conn, reversal)?
            .ok_or_else(|| StorageError::Unavailable("reversal vanished".into()).into())
    })
}
