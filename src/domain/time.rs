//! Time as the service counts it. Nothing here reads the clock: `now` and `today` are given by
//! the edge (handlers, the scheduler, the CLI, a simulation).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SubsecRound, Utc};

use super::role::Role;
use super::validation::FieldError;

/// An instant as stored: UTC, to the microsecond (PostgreSQL keeps microseconds and SQLite
/// would keep nanoseconds, so both backends store and compare the same value).
pub fn stamp(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc().trunc_subsecs(6)
}

/// Clocks of client systems drift: a little future is tolerated.
pub const CLOCK_SKEW_MINUTES: i64 = 5;

/// The earliest date a movement may carry.
pub fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// The last date a date of the service's own (a refill, a plan) may name.
pub fn last_service_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or_default()
}

/// A date the pharmacy plans by (a next refill, an end of use): within 2000–2099, so that a
/// mistyped `0000-01-01` is refused rather than sending a patient off the roster.
pub fn service_date(field: &str, on: NaiveDate) -> Result<NaiveDate, FieldError> {
    if on < epoch() || on > last_service_date() {
        return Err(FieldError::new(field, "must be between 2000-01-01 and 2099-12-31"));
    }
    Ok(on)
}

/// `service_date`'s years (2000–2099) as a pattern on a date, for the OpenAPI document.
pub const SERVICE_DATE_PATTERN: &str = "^20[0-9]{2}-";

/// `epoch` as a pattern on an RFC 3339 timestamp (years 2000 to 9999), for the OpenAPI document.
pub const FROM_EPOCH_PATTERN: &str = "^[2-9][0-9]{3}-";

/// When something happened, as a client may state it: not in the future (a few minutes of
/// clock skew allowed), not before 2000. Movements and procedures both use this rule.
pub fn occurred_at(at: DateTime<Utc>, now: NaiveDateTime) -> Result<NaiveDateTime, FieldError> {
    let at = stamp(at);
    if at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(FieldError::new("occurred_at", "must not be in the future"));
    }
    // 2000-01-01 wherever the client's clock is: UTC+14 is the first to reach it.
    let earliest = epoch().and_hms_opt(0, 0, 0).unwrap_or_default() - Duration::hours(14);
    if at < earliest {
        return Err(FieldError::new("occurred_at", "must be after 2000-01-01"));
    }
    Ok(at)
}

/// A date as the API writes it: exactly `YYYY-MM-DD`. chrono alone would also take a signed
/// year beyond 9999 (`+10000-01-01`), which SQLite would then compare as text.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// How far back a movement is dated, in whole days before today (0 when today or later).
pub fn backdated_days(occurred_at: NaiveDateTime, now: NaiveDateTime) -> i64 {
    (now.date() - occurred_at.date()).num_days().max(0)
}

/// How far back a movement may be dated without the admin role (`ledger.max_backdate_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackdatePolicy {
    pub max_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backdating {
    Allowed,
    NeedsAdmin { days: i64 },
}

impl BackdatePolicy {
    pub fn judge(self, role: Role, occurred_at: NaiveDateTime, now: NaiveDateTime) -> Backdating {
        let days = backdated_days(occurred_at, now);
        if days > i64::from(self.max_days) && role != Role::Admin {
            Backdating::NeedsAdmin { days }
        } else {
            Backdating::Allowed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_dates_stay_within_the_century() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(service_date("next_refill_on", day(0, 1, 1)).is_err());
        assert!(service_date("next_refill_on", day(1999, 12, 31)).is_err());
        assert!(service_date("next_refill_on", day(2100, 1, 1)).is_err());
        assert_eq!(service_date("next_refill_on", day(2027, 3, 1)), Ok(day(2027, 3, 1)));
    }
    use chrono::TimeZone;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 3, 10)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    #[test]
    fn occurred_at_tolerates_skew_but_not_the_future_or_the_last_century() {
        let utc = |y, m, d, h, mi| Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap();
        assert!(occurred_at(utc(2027, 3, 10, 12, 4), now()).is_ok());
        assert_eq!(
            occurred_at(utc(2027, 3, 10, 12, 6), now()).unwrap_err().field,
            "occurred_at"
        );
        // 2000-01-01 00:00 at UTC+14 is the earliest: 1999-12-31 10:00 UTC.
        assert!(occurred_at(utc(1999, 12, 31, 9, 59), now()).is_err());
        assert!(occurred_at(utc(1999, 12, 31, 10, 0), now()).is_ok());
        assert!(occurred_at(utc(2000, 1, 1, 0, 0), now()).is_ok());
    }

    #[test]
    fn the_epoch_pattern_is_the_epoch() {
        assert_eq!(epoch().to_string(), "2000-01-01");
        assert_eq!(FROM_EPOCH_PATTERN, "^[2-9][0-9]{3}-");
    }

    #[test]
    fn dates_are_exactly_year_month_day() {
        assert_eq!(parse_date("2027-03-10"), NaiveDate::from_ymd_opt(2027, 3, 10));
        for bad in [
            "+10000-01-01",
            "10000-01-01",
            "2027-3-10",
            "2027-02-30",
            "2027-03-10T00:00:00",
            " 2027-03-10",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn backdating_counts_calendar_days() {
        let at = NaiveDate::from_ymd_opt(2027, 3, 3)
            .unwrap()
            .and_hms_opt(23, 0, 0)
            .unwrap();
        assert_eq!(backdated_days(at, now()), 7);
        assert_eq!(backdated_days(now(), now()), 0);
    }

    #[test]
    fn only_an_admin_dates_a_movement_further_back_than_the_policy() {
        let policy = BackdatePolicy { max_days: 7 };
        let eight_days_back = now() - Duration::days(8);
        assert_eq!(
            policy.judge(Role::Pharmacist, eight_days_back, now()),
            Backdating::NeedsAdmin { days: 8 }
        );
        assert_eq!(policy.judge(Role::Admin, eight_days_back, now()), Backdating::Allowed);
        assert_eq!(
            policy.judge(Role::Pharmacist, now() - Duration::days(7), now()),
            Backdating::Allowed
        );
    }
}
