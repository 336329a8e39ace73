//! What happens to the simulated centre, decided by the seed alone, so that both policies live
//! through the same patients, procedures, departures, delays and outage. Pure.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Rinses per patient-year and catheter changes per patient-year.
pub const RINSES_PER_YEAR: f64 = 0.3;
pub const CATHETER_CHANGES_PER_YEAR: f64 = 0.1;
/// The share of patients who leave the MIP in a year (the pumps are not replaced).
pub const LEAVING_PER_YEAR: f64 = 0.08;

/// A stream of its own for each (seed, purpose, number): independent of how many draws the
/// other streams made, so a policy's orders never shift the patients' events.
pub fn stream(seed: u64, purpose: u64, n: u64) -> StdRng {
    let mixed = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(purpose.wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        .wrapping_add(n.wrapping_mul(0x1656_67B1_9E37_79F9));
    StdRng::seed_from_u64(mixed)
}

const PATIENTS: u64 = 1;
const DAY: u64 = 2;
const DELAY: u64 = 3;
const OUTAGE: u64 = 4;

/// A patient at the start: refill interval (35–45 days) and first refill (day 0 to interval − 1).
pub fn patient(seed: u64, n: u64) -> (u32, u32) {
    let mut rng = stream(seed, PATIENTS, n);
    let interval = rng.random_range(35..=45);
    (interval, rng.random_range(0..interval))
}

/// What one patient does on one day besides a refill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayEvents {
    pub rinse: bool,
    pub catheter_change: bool,
    pub leaves: bool,
}

pub fn day_events(seed: u64, day: u32, patients: usize) -> Vec<DayEvents> {
    let mut rng = stream(seed, DAY, u64::from(day));
    (0..patients)
        .map(|_| DayEvents {
            rinse: rng.random_bool(RINSES_PER_YEAR / 365.0),
            catheter_change: rng.random_bool(CATHETER_CHANGES_PER_YEAR / 365.0),
            leaves: rng.random_bool(LEAVING_PER_YEAR / 365.0),
        })
        .collect()
}

/// The supplier outage: `disruption_days` from a day in the middle half of the run.
pub fn outage(seed: u64, days: u32, disruption_days: u32) -> Option<(u32, u32)> {
    if disruption_days == 0 || days < 4 {
        return None;
    }
    let start = stream(seed, OUTAGE, 0).random_range(days / 4..days * 3 / 4);
    Some((start, start + disruption_days))
}

/// The day an order placed on `day` arrives: after the lead time and a random delay of up to
/// `delay_max` days; placed during the outage, after the outage ends.
pub fn arrival(seed: u64, day: u32, nth_today: u64, lead_time: u32, delay_max: u32, outage: Option<(u32, u32)>) -> u32 {
    let delay = stream(seed, DELAY, u64::from(day) << 16 | nth_today).random_range(0..=delay_max);
    let placed = match outage {
        Some((start, end)) if (start..end).contains(&day) => end,
        _ => day,
    };
    placed + lead_time + delay
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_centre() {
        assert_eq!(patient(7, 3), patient(7, 3));
        assert_eq!(day_events(7, 100, 30), day_events(7, 100, 30));
        assert_eq!(outage(7, 730, 30), outage(7, 730, 30));
        let (interval, first) = patient(7, 3);
        assert!((35..=45).contains(&interval) && first < interval);
    }

    #[test]
    fn an_order_placed_during_the_outage_arrives_after_it() {
        let outage = Some((100, 130));
        assert_eq!(
            arrival(1, 110, 0, 14, 0, outage),
            144,
            "placed on day 110: the outage ends on 130"
        );
        assert_eq!(
            arrival(1, 99, 0, 14, 0, outage),
            113,
            "placed the day before: unaffected"
        );
        assert_eq!(arrival(1, 130, 0, 14, 0, outage), 144, "the day it ends: unaffected");
        let delayed = arrival(1, 10, 0, 14, 5, None);
        assert!((24..=29).contains(&delayed));
        let (start, end) = outage_of(730, 30);
        assert!((182..547).contains(&start) && end == start + 30);
    }

    fn outage_of(days: u32, length: u32) -> (u32, u32) {
        outage(42, days, length).unwrap()
    }

    #[test]
    fn events_are_rare_and_independent_of_the_day_before() {
        let year: Vec<DayEvents> = (0..365).flat_map(|d| day_events(5, d, 100)).collect();
        let rinses = year.iter().filter(|e| e.rinse).count();
        // 0.3 a patient-year over 100 patients: about 30.
        assert!((10..=60).contains(&rinses), "{rinses}");
        assert!(outage(5, 730, 0).is_none());
    }
}
