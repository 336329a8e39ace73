use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalog::Named;
use super::ids::PatientId;

/// Whether a patient still receives MIP consumables here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PatientStatus {
    Active,
    /// Moved to another therapy or centre; kept for traceability.
    Transitioned,
    Inactive,
}

impl Named for PatientStatus {
    const ALL: &'static [Self] = &[
        PatientStatus::Active,
        PatientStatus::Transitioned,
        PatientStatus::Inactive,
    ];
    fn as_str(self) -> &'static str {
        match self {
            PatientStatus::Active => "active",
            PatientStatus::Transitioned => "transitioned",
            PatientStatus::Inactive => "inactive",
        }
    }
}

pub const DEFAULT_REFILL_INTERVAL_DAYS: u8 = 42;
/// Insulin is stable 45 days in the pump: no interval may exceed it.
pub const MAX_REFILL_INTERVAL_DAYS: u8 = 45;
pub const REFERENCE_MAX: usize = 64;
pub const NOTES_MAX: usize = 2000;

/// Days between two refills: 1 to 45.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefillInterval(u8);

impl RefillInterval {
    pub fn new(days: i64) -> Option<RefillInterval> {
        u8::try_from(days)
            .ok()
            .filter(|d| (1..=MAX_REFILL_INTERVAL_DAYS).contains(d))
            .map(RefillInterval)
    }

    pub fn days(self) -> u8 {
        self.0
    }
}

impl Default for RefillInterval {
    fn default() -> Self {
        RefillInterval(DEFAULT_REFILL_INTERVAL_DAYS)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub id: PatientId,
    pub reference: String,
    pub status: PatientStatus,
    pub refill_interval: RefillInterval,
    pub next_refill_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewPatient {
    pub reference: String,
    pub status: PatientStatus,
    pub refill_interval: RefillInterval,
    pub next_refill_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// The refills the Today page lists: this week's (today and the next 7 days).
pub const TODAY_REFILLS_DAYS: i64 = 7;
/// The refills the Refills page lists for preparing: the next two weeks.
pub const REFILLS_AHEAD_DAYS: i64 = 14;

/// The first date past the refills due within `days` of `today` (for `refill_due_before`).
pub fn refills_due_before(today: NaiveDate, days: i64) -> NaiveDate {
    today + chrono::Duration::days(days + 1)
}

/// `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct PatientChanges {
    pub reference: Option<String>,
    pub status: Option<PatientStatus>,
    pub refill_interval: Option<RefillInterval>,
    pub next_refill_on: Option<Option<NaiveDate>>,
    pub notes: Option<Option<String>>,
}

impl PatientChanges {
    pub fn is_empty(&self) -> bool {
        self.reference.is_none()
            && self.status.is_none()
            && self.refill_interval.is_none()
            && self.next_refill_on.is_none()
            && self.notes.is_none()
    }
}

#[derive(Debug, Clone, Default)]
pub struct PatientFilter {
    pub status: Option<PatientStatus>,
    /// Active patients whose next refill is strictly before this date.
    pub refill_due_before: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refill_intervals_stay_within_insulin_stability() {
        assert_eq!(RefillInterval::default().days(), 42);
        assert!(RefillInterval::new(0).is_none());
        assert!(RefillInterval::new(46).is_none());
        assert_eq!(RefillInterval::new(45).unwrap().days(), 45);
        assert!(RefillInterval::new(-300).is_none());
    }
}
