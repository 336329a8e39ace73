//! The cold chain: a fridge that got warm holds its refrigerated units, at that location only,
//! until a pharmacist releases or destroys them, lot by lot.

use chrono::NaiveDateTime;

use super::catalog::Named;
use super::ids::{ExcursionId, ItemId, LocationId, LotId, MovementId};
use super::validation::{FieldError, FieldErrors};

/// Insulin is kept between these temperatures (°C); an excursion leaves the range.
pub const FRIDGE_MIN_C: f64 = 2.0;
pub const FRIDGE_MAX_C: f64 = 8.0;
/// Readings outside this range are a sensor fault, not a temperature.
pub const READING_MIN_C: f64 = -40.0;
pub const READING_MAX_C: f64 = 60.0;
pub const NOTE_MAX: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Release,
    Destroy,
}

impl Named for Decision {
    const ALL: &'static [Self] = &[Decision::Release, Decision::Destroy];
    fn as_str(self) -> &'static str {
        match self {
            Decision::Release => "release",
            Decision::Destroy => "destroy",
        }
    }
}

impl Decision {
    /// What the held lot became: `released` or `destroyed`.
    pub fn outcome(self) -> &'static str {
        match self {
            Decision::Release => "released",
            Decision::Destroy => "destroyed",
        }
    }

    pub fn from_outcome(text: &str) -> Option<Decision> {
        Decision::ALL.iter().copied().find(|d| d.outcome() == text)
    }
}

/// An excursion as reported (checked: `NewExcursion::parse`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewExcursion {
    pub location: LocationId,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub max_temperature_c: f64,
    pub min_temperature_c: Option<f64>,
    pub note: Option<String>,
}

fn reading(field: &str, value: f64) -> Result<f64, FieldError> {
    if value.is_finite() && (READING_MIN_C..=READING_MAX_C).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            field,
            format!("must be a temperature between {READING_MIN_C} and {READING_MAX_C} °C"),
        ))
    }
}

impl NewExcursion {
    /// Checks the report: readings in range, the minimum not above the maximum, the end after
    /// the start, and the fridge really left 2–8 °C.
    pub fn parse(
        location: LocationId,
        started_at: NaiveDateTime,
        ended_at: Option<NaiveDateTime>,
        max_temperature_c: f64,
        min_temperature_c: Option<f64>,
        note: Option<String>,
    ) -> Result<NewExcursion, FieldErrors> {
        let mut errors = FieldErrors::default();
        let max = errors.check(reading("max_temperature_c", max_temperature_c));
        let min = min_temperature_c.and_then(|m| errors.check(reading("min_temperature_c", m)));
        if let (Some(max), Some(min)) = (max, min) {
            if min > max {
                errors.push(FieldError::new(
                    "min_temperature_c",
                    "must not be above max_temperature_c",
                ));
            }
        }
        if ended_at.is_some_and(|end| end < started_at) {
            errors.push(FieldError::new("ended_at", "must not be before started_at"));
        }
        if let Some(max) = max {
            // Without a minimum, the maximum is the whole range: at most 1 °C is frozen.
            let left = max > FRIDGE_MAX_C || min.unwrap_or(max) < FRIDGE_MIN_C;
            if !left && errors.0.is_empty() {
                errors.push(FieldError::new(
                    "max_temperature_c",
                    format!("stayed within {FRIDGE_MIN_C}–{FRIDGE_MAX_C} °C: not an excursion"),
                ));
            }
        }
        errors.finish(|| {
            Some(NewExcursion {
                location,
                started_at,
                ended_at,
                max_temperature_c: max?,
                min_temperature_c: min,
                note,
            })
        })
    }
}

/// The units of one lot an excursion held, and what was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Hold {
    pub lot_id: LotId,
    pub item_id: ItemId,
    pub lot_number: String,
    pub quantity: i64,
    pub decision: Option<Decision>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    /// The waste movement of a destroyed lot.
    pub movement_id: Option<MovementId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Excursion {
    pub id: ExcursionId,
    pub location_id: LocationId,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub max_temperature_c: f64,
    pub min_temperature_c: Option<f64>,
    pub note: Option<String>,
    pub recorded_at: NaiveDateTime,
    pub recorded_by: String,
    pub held: Vec<Hold>,
}

impl Excursion {
    /// Open while a held lot waits for its decision.
    pub fn is_open(&self) -> bool {
        self.held.iter().any(|h| h.decision.is_none())
    }
}

/// The key of an excursion's one alert.
pub fn excursion_condition(id: ExcursionId) -> String {
    format!("cold_chain_excursion:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn report(max: f64, min: Option<f64>) -> Result<NewExcursion, FieldErrors> {
        NewExcursion::parse(LocationId(1), at(2), Some(at(5)), max, min, None)
    }

    #[test]
    fn leaving_two_to_eight_degrees_is_an_excursion() {
        assert!(report(14.5, Some(6.0)).is_ok());
        assert!(report(6.0, Some(-1.0)).is_ok(), "frozen insulin is lost too");
        assert!(report(0.5, None).is_ok(), "never above 0.5 °C: frozen all along");
        let errors = report(7.9, Some(2.5)).unwrap_err();
        assert_eq!(errors.0[0].message, "stayed within 2–8 °C: not an excursion");
    }

    #[test]
    fn readings_must_be_temperatures_and_in_order() {
        let errors = report(f64::NAN, None).unwrap_err();
        assert_eq!(errors.0[0].field, "max_temperature_c");
        let errors = report(10.0, Some(12.0)).unwrap_err();
        assert_eq!(errors.0[0].message, "must not be above max_temperature_c");
        let errors = NewExcursion::parse(LocationId(1), at(5), Some(at(2)), 12.0, None, None).unwrap_err();
        assert_eq!(errors.0[0].field, "ended_at");
    }

    #[test]
    fn a_decision_names_its_outcome() {
        assert_eq!(Decision::parse("destroy").map(Decision::outcome), Some("destroyed"));
        assert_eq!(Decision::from_outcome("released"), Some(Decision::Release));
    }
}
