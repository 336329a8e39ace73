//! A cold-chain excursion and a decision on what it held, as an edge receives them.

use chrono::{DateTime, Utc};

use crate::domain::catalog::Named;
use crate::domain::cold_chain::{Decision, NewExcursion, NOTE_MAX};
use crate::domain::ids::{LocationId, LotId};
use crate::domain::text;
use crate::domain::time;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::decide_excursion::HoldDecision;

/// A fridge that got warm, as an edge received it.
#[derive(Debug, Clone)]
pub struct ExcursionInput {
    /// When the fridge left 2–8 °C.
    pub started_at: DateTime<Utc>,
    /// When it was back in range; absent while it is not.
    pub ended_at: Option<DateTime<Utc>>,
    /// The warmest reading, °C.
    pub max_temperature_c: f64,
    /// The coldest reading, °C (below 2 °C: frozen).
    pub min_temperature_c: Option<f64>,
    pub note: Option<String>,
}

impl ExcursionInput {
    /// The excursion this request reports at `location`: the API's and the web app's one check.
    pub fn parse(self, location: LocationId, now: chrono::NaiveDateTime) -> Result<NewExcursion, FieldErrors> {
        let mut errors = FieldErrors::default();
        let started_at = errors.check(instant("started_at", self.started_at, now));
        let ended_at = self.ended_at.and_then(|at| errors.check(instant("ended_at", at, now)));
        let note = self
            .note
            .as_deref()
            .and_then(|n| errors.check(text::free_text("note", n, NOTE_MAX)));
        let started_at = errors.finish(|| started_at)?;
        NewExcursion::parse(
            location,
            started_at,
            ended_at,
            self.max_temperature_c,
            self.min_temperature_c,
            note,
        )
    }
}

/// A decision on one held lot, as an edge received it.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    /// A lot the excursion held.
    pub lot_id: i64,
    /// `release`: usable again; `destroy`: a `waste` movement with reason `cold_chain_breach`.
    pub decision: String,
    pub note: Option<String>,
}

impl DecisionInput {
    /// The decision this request makes: the API's and the web app's one check.
    pub fn parse(self) -> Result<HoldDecision, FieldErrors> {
        let mut errors = FieldErrors::default();
        let decision = Decision::parse(&self.decision);
        if decision.is_none() {
            errors.push(FieldError::new("decision", "must be release or destroy"));
        }
        let note = self
            .note
            .as_deref()
            .and_then(|n| errors.check(text::free_text("note", n, NOTE_MAX)));
        let decision = errors.finish(|| decision)?;
        Ok(HoldDecision {
            lot: LotId(self.lot_id),
            decision,
            note,
        })
    }
}

fn instant(field: &str, at: DateTime<Utc>, now: chrono::NaiveDateTime) -> Result<chrono::NaiveDateTime, FieldError> {
    time::occurred_at(at, now).map_err(|e| FieldError::new(field, e.message))
}
