//! A web form recorded once, however often it is posted: each rendered form carries a random
//! token; the first post of it claims the token (before the write, in its own transaction), and
//! a repeat — a double click, a page submitted again — gets the first answer (where it was sent)
//! instead of recording again. A post that records nothing gives its claim back.

use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection, StorageError};
use crate::repo::idempotency as store;
use crate::service::run_once::IdempotencyClaim;

/// What a claim was told in a stored response's status while its request runs.
const PENDING: u16 = 202;
/// A form's write answers with a redirect to what it recorded.
const SEE_OTHER: u16 = 303;

pub enum FormClaim {
    /// The first post of this form: go ahead.
    Fresh,
    /// Recorded before: where the first post was sent.
    Done(Option<String>),
    /// The first post is still being recorded.
    Pending,
}

enum Claiming {
    Storage(StorageError),
    Taken,
}

impl From<StorageError> for Claiming {
    fn from(e: StorageError) -> Claiming {
        Claiming::Storage(e)
    }
}

/// Claims `claim` for this post, or says what became of the first one.
pub fn claim_form(
    conn: &mut DbConnection,
    claim: &IdempotencyClaim,
    now: NaiveDateTime,
) -> Result<FormClaim, StorageError> {
    let claimed = write_tx(conn, |conn| {
        let placeholder = claim.stored(PENDING, String::new(), None);
        if store::insert(conn, &claim.owner, &claim.key, &placeholder, now).map_err(StorageError::from)? {
            Ok(())
        } else {
            Err(Claiming::Taken)
        }
    });
    match claimed {
        Ok(()) => Ok(FormClaim::Fresh),
        Err(Claiming::Storage(e)) => Err(e),
        Err(Claiming::Taken) => form_answer(conn, claim),
    }
}

/// What became of the first post of `claim`.
pub fn form_answer(conn: &mut DbConnection, claim: &IdempotencyClaim) -> Result<FormClaim, StorageError> {
    Ok(match store::find(conn, &claim.owner, &claim.key)? {
        Some(stored) if stored.status == PENDING => FormClaim::Pending,
        Some(stored) => FormClaim::Done(stored.location),
        // Given back meanwhile: this post may go ahead (its claim is retried by the caller).
        None => FormClaim::Fresh,
    })
}

/// After the post: a redirect (something was recorded) is kept for repeats; anything else
/// gives the claim back, so the form can be corrected and posted again.
pub fn settle_form(
    conn: &mut DbConnection,
    claim: &IdempotencyClaim,
    redirect: Option<String>,
) -> Result<(), StorageError> {
    match redirect {
        Some(location) => {
            let stored = claim.stored(SEE_OTHER, String::new(), Some(location));
            Ok(store::complete(conn, &claim.owner, &claim.key, &stored)?)
        }
        None => Ok(store::delete(conn, &claim.owner, &claim.key)?),
    }
}
