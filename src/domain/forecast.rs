//! The forecast's projection (API.md, "Forecast"): day by day from today, what arrives comes
//! first, then demand is served earliest expiry first, and a lot leaves the day after its
//! `expires_on` (what is left of it then is `expiring` that day). Pure: today is a parameter,
//! quantities are fractional (unscheduled demand is a rate).

use chrono::{Duration, NaiveDate};

use super::ledger::MovementKind;
use super::procedure::REFILL;

/// Usable stock of one lot (status `available`, not expired today).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplyLot {
    pub expires_on: NaiveDate,
    pub quantity: f64,
}

/// What an open order line still brings, and when (an overdue line is counted as arriving today).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrival {
    pub on: NaiveDate,
    pub quantity: f64,
}

/// A patient on the roster: refilled on max(next_refill_on, today), then every interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refills {
    pub next_refill_on: NaiveDate,
    pub interval_days: u32,
}

/// One day of the projection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    /// Usable stock at the end of the day.
    pub available: f64,
    pub demand: f64,
    pub arriving: f64,
    /// Left of lots that expired the day before, leaving the projection today.
    pub expiring: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub series: Vec<Day>,
    /// The first day whose demand cannot be met in full, counting arrivals.
    pub stockout_on: Option<NaiveDate>,
    /// Days until usable stock alone (no arrivals) first falls short; `None` beyond the horizon.
    pub days_of_cover: Option<i64>,
    /// Units that leave the projection unused because they expired.
    pub expiring_unused: f64,
}

/// What is projected for one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub today: NaiveDate,
    pub horizon_days: u32,
    pub lots: Vec<SupplyLot>,
    pub arrivals: Vec<Arrival>,
    /// Units of this item one refill consumes (the `refill` procedure's line).
    pub per_refill: f64,
    pub roster: Vec<Refills>,
    /// Units a day of everything else (other procedures, untagged dispensations).
    pub unscheduled_per_day: f64,
    /// Units of this item the largest other procedure (rinse, catheter change) takes: a
    /// suggestion never plans the shelf below it, whatever the rate says.
    pub per_procedure: f64,
}

/// A sum that is `0`, not `-0`, when there is nothing to add.
pub fn total(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |sum, value| sum + value)
}

impl Inputs {
    /// Usable units now.
    pub fn usable(&self) -> f64 {
        total(self.lots.iter().map(|l| l.quantity))
    }

    /// Units still to come from open orders.
    pub fn on_order(&self) -> f64 {
        total(self.arrivals.iter().map(|a| a.quantity))
    }
}

/// `forecast.review_days` and `forecast.safety_days`: how often orders are placed, and the margin
/// before a projected stockout that opens an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastPolicy {
    pub review_days: u32,
    pub safety_days: u32,
}

pub const DEFAULT_HORIZON_DAYS: u32 = 90;
pub const MAX_HORIZON_DAYS: u32 = 730;
/// The unscheduled rate is the average over this many days before today…
pub const USAGE_WINDOW_DAYS: u32 = 365;
/// …or over the days the ledger has been kept, when that is shorter, but never fewer than half a
/// year: rinses and catheter changes are rare, and two in a month are not twenty-four a year (the
/// simulation ordered NaOH that expired unopened on such a count).
pub const MIN_USAGE_WINDOW_DAYS: u32 = 182;

/// The days the unscheduled rate is averaged over: the last 365 days of the ledger. A ledger
/// started less than a year ago is averaged over its own days — dividing its usage by 365 would
/// understate the rate all through the first year (the simulation ran the rinse items dry so).
pub fn usage_window_days(today: NaiveDate, ledger_started_on: Option<NaiveDate>) -> u32 {
    let kept = ledger_started_on.map_or(0, |on| (today - on).num_days().max(0));
    kept.clamp(i64::from(MIN_USAGE_WINDOW_DAYS), i64::from(USAGE_WINDOW_DAYS)) as u32
}

/// Whether a movement's units are unscheduled demand: dispensations other than the `refill`
/// procedure (whose demand the roster schedules).
pub fn is_unscheduled(kind: MovementKind, procedure_code: Option<&str>) -> bool {
    kind == MovementKind::Dispense && procedure_code != Some(REFILL)
}

/// Below this a shortfall is rounding, not a stockout.
const EPSILON: f64 = 1e-9;

/// How many refills fall on each day of the horizon (index 0 = today).
pub fn refills_per_day(roster: &[Refills], today: NaiveDate, horizon_days: u32) -> Vec<u32> {
    let mut per_day = vec![0u32; horizon_days as usize];
    for patient in roster {
        let interval = i64::from(patient.interval_days.max(1));
        let mut day = (patient.next_refill_on - today).num_days().max(0);
        while day < i64::from(horizon_days) {
            per_day[day as usize] += 1;
            day += interval;
        }
    }
    per_day
}

/// The demand of each day of the horizon: the day's refills and the unscheduled rate.
fn daily_demand(inputs: &Inputs) -> Vec<f64> {
    refills_per_day(&inputs.roster, inputs.today, inputs.horizon_days)
        .iter()
        .map(|n| f64::from(*n) * inputs.per_refill + inputs.unscheduled_per_day)
        .collect()
}

/// One pass over the horizon.
struct Run {
    series: Vec<Day>,
    /// Index of the first day short.
    first_short: Option<usize>,
    expiring_unused: f64,
    /// Demand left unserved over the horizon; carried over (a backlog), what is left of it at
    /// the end.
    unmet: f64,
}

/// How a run treats demand it cannot serve on its day.
#[derive(Clone, Copy, PartialEq)]
enum Shortfall {
    /// Lost: the API's projection, day by day.
    Dropped,
    /// Waits for the next arrival, as a missed refill waits for its patient's next day: what
    /// an order must cover.
    Carried,
}

/// One run over the horizon; `with_arrivals` false gives what stock alone covers.
fn run(inputs: &Inputs, with_arrivals: bool, shortfall: Shortfall) -> Run {
    let demand = daily_demand(inputs);
    let mut lots: Vec<SupplyLot> = inputs.lots.iter().copied().filter(|l| l.quantity > 0.0).collect();
    let mut series = Vec::with_capacity(demand.len());
    let mut first_short = None;
    let mut expiring_unused = 0.0;
    let mut unmet = 0.0;
    let mut backlog = 0.0;
    // Arrivals come as a lot that does not expire within the horizon.
    let never = inputs.today + Duration::days(i64::from(inputs.horizon_days) + 1);
    for (i, wanted) in demand.iter().enumerate() {
        let date = inputs.today + Duration::days(i as i64);
        let expiring = total(lots.iter().filter(|l| l.expires_on < date).map(|l| l.quantity));
        lots.retain(|l| l.expires_on >= date);
        expiring_unused += expiring;
        let arriving = if with_arrivals {
            total(
                inputs
                    .arrivals
                    .iter()
                    .filter(|a| a.on.max(inputs.today) == date)
                    .map(|a| a.quantity),
            )
        } else {
            0.0
        };
        if arriving > 0.0 {
            lots.push(SupplyLot {
                expires_on: never,
                quantity: arriving,
            });
        }
        // Earliest expiry first.
        lots.sort_by_key(|l| l.expires_on);
        let mut left = *wanted + backlog;
        for lot in lots.iter_mut() {
            let taken = left.min(lot.quantity);
            lot.quantity -= taken;
            left -= taken;
        }
        lots.retain(|l| l.quantity > EPSILON);
        backlog = 0.0;
        if left > EPSILON {
            first_short = first_short.or(Some(i));
            match shortfall {
                Shortfall::Dropped => unmet += left,
                Shortfall::Carried => backlog = left,
            }
        }
        series.push(Day {
            date,
            available: total(lots.iter().map(|l| l.quantity)),
            demand: *wanted,
            arriving,
            expiring,
        });
    }
    Run {
        series,
        first_short,
        expiring_unused,
        unmet: unmet + backlog,
    }
}

pub fn project(inputs: &Inputs) -> Projection {
    let with_arrivals = run(inputs, true, Shortfall::Dropped);
    let alone = run(inputs, false, Shortfall::Dropped);
    Projection {
        stockout_on: with_arrivals.first_short.map(|i| with_arrivals.series[i].date),
        days_of_cover: alone.first_short.map(|i| i as i64),
        expiring_unused: with_arrivals.expiring_unused,
        series: with_arrivals.series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn inputs(lots: Vec<SupplyLot>, arrivals: Vec<Arrival>, roster: Vec<Refills>) -> Inputs {
        Inputs {
            today: day(1),
            horizon_days: 20,
            lots,
            arrivals,
            per_refill: 2.0,
            roster,
            unscheduled_per_day: 0.0,
            per_procedure: 0.0,
        }
    }

    #[test]
    fn a_young_ledger_averages_its_usage_over_its_own_days() {
        let today = day(31);
        let days_ago = |n: i64| Some(today - Duration::days(n));
        assert_eq!(usage_window_days(today, None), MIN_USAGE_WINDOW_DAYS, "no ledger yet");
        assert_eq!(usage_window_days(today, days_ago(200)), 200, "kept for 200 days");
        assert_eq!(usage_window_days(today, days_ago(30)), 182, "a month: the floor");
        assert_eq!(usage_window_days(today, days_ago(1000)), USAGE_WINDOW_DAYS);
        assert_eq!(
            usage_window_days(today, days_ago(-3)),
            182,
            "a movement dated after today"
        );
    }

    #[test]
    fn refills_repeat_at_the_interval_and_overdue_ones_fall_today() {
        let roster = [
            Refills {
                next_refill_on: day(3),
                interval_days: 7,
            },
            Refills {
                next_refill_on: NaiveDate::from_ymd_opt(2027, 2, 20).unwrap(),
                interval_days: 42,
            },
        ];
        let per_day = refills_per_day(&roster, day(1), 20);
        let days: Vec<usize> = per_day
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(days, vec![0, 2, 9, 16], "overdue today, then 3, 10 and 17 March");
    }

    #[test]
    fn stock_runs_out_on_the_first_refill_it_cannot_serve() {
        // 5 units, 2 a refill on the 3rd, 10th and 17th: 3 left, then 1, then short on the 17th.
        let p = project(&inputs(
            vec![SupplyLot {
                expires_on: day(31),
                quantity: 5.0,
            }],
            vec![],
            vec![Refills {
                next_refill_on: day(3),
                interval_days: 7,
            }],
        ));
        assert_eq!(p.stockout_on, Some(day(17)));
        assert_eq!(p.days_of_cover, Some(16));
        assert_eq!(p.series[2].available, 3.0);
        assert_eq!(p.series[9].available, 1.0);
        assert_eq!(p.expiring_unused, 0.0);
    }

    #[test]
    fn a_lot_that_expires_before_it_is_needed_leaves_unused() {
        // 4 units expiring on the 2nd are usable on the 2nd and gone on the 3rd, the first refill.
        let p = project(&inputs(
            vec![
                SupplyLot {
                    expires_on: day(2),
                    quantity: 4.0,
                },
                SupplyLot {
                    expires_on: day(31),
                    quantity: 2.0,
                },
            ],
            vec![],
            vec![Refills {
                next_refill_on: day(3),
                interval_days: 7,
            }],
        ));
        assert_eq!(p.series[1].available, 6.0, "usable through its date");
        assert_eq!(p.series[2].expiring, 4.0, "leaves the day after");
        assert_eq!(p.expiring_unused, 4.0);
        assert_eq!(p.stockout_on, Some(day(10)), "only the other lot's 2 serve the 3rd");
    }

    #[test]
    fn an_order_landing_the_day_before_the_stockout_moves_it() {
        let roster = vec![Refills {
            next_refill_on: day(3),
            interval_days: 7,
        }];
        let lots = vec![SupplyLot {
            expires_on: day(31),
            quantity: 5.0,
        }];
        let landing = vec![Arrival {
            on: day(16),
            quantity: 2.0,
        }];
        let p = project(&inputs(lots, landing, roster));
        assert_eq!(p.stockout_on, None, "1 + 2 arriving on the 16th serve the 17th");
        assert_eq!(p.days_of_cover, Some(16), "cover counts stock alone");
        assert_eq!(p.series[15].arriving, 2.0);
        assert_eq!(p.series[16].available, 1.0);
    }

    #[test]
    fn overdue_orders_arrive_today_and_unscheduled_demand_is_a_rate() {
        let mut i = inputs(
            vec![],
            vec![Arrival {
                on: NaiveDate::from_ymd_opt(2027, 2, 25).unwrap(),
                quantity: 3.0,
            }],
            vec![],
        );
        i.unscheduled_per_day = 0.5;
        let p = project(&i);
        assert_eq!(p.series[0].arriving, 3.0);
        assert_eq!(p.days_of_cover, Some(0), "today already falls short without arrivals");
        assert_eq!(p.stockout_on, Some(day(7)), "3 units at 0.5 a day last six days");
    }
}

/// How an item is ordered: the supplier's lead time (0 without a supplier), the order multiple,
/// the typical shelf life of a new lot, and the review and safety periods of `forecast.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ordering {
    pub lead_time_days: u32,
    pub review_days: u32,
    pub safety_days: u32,
    pub pack_size: u32,
    pub shelf_life_days: Option<u32>,
}

/// Every figure that went into a suggestion, for the pharmacist to check.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionWorking {
    /// Lead time + review + safety.
    pub period_days: u32,
    pub demand: f64,
    /// Units above the mean unscheduled demand of the period kept for its randomness, and at
    /// least what one procedure takes of the item.
    pub unscheduled_margin: f64,
    pub usable: f64,
    pub on_order: f64,
    /// Demand that stock and open orders leave unserved by the end of the period, a shortfall
    /// waiting for the next arrival (expiries included).
    pub unmet: f64,
    /// Units before rounding: demand + margin − usable − on order, or unmet + margin if larger.
    pub needed: f64,
    pub packs: u32,
    /// Demand over one shelf life, when it lowered the order.
    pub shelf_life_demand: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub quantity: u32,
    /// Ordered later than this, it lands after the stockout.
    pub order_by: NaiveDate,
    /// When an order placed today lands.
    pub expected_on: NaiveDate,
    pub working: SuggestionWorking,
}

/// The share of periods whose unscheduled demand a suggestion covers in full.
pub const UNSCHEDULED_SERVICE_LEVEL: f64 = 0.95;

/// Units above its mean that unscheduled demand of mean `mean` over a period reaches at
/// `UNSCHEDULED_SERVICE_LEVEL`. Rinses and catheter changes come at random (Poisson): stock for
/// the mean alone leaves a slow mover short one period in three — the simulation missed
/// catheter changes so; 97.5 % kept more NaOH than it used. Above a mean of 50 the normal
/// approximation.
pub fn unscheduled_margin(mean: f64) -> f64 {
    if mean <= EPSILON {
        return 0.0;
    }
    let quantile = if mean > 50.0 {
        mean + 1.645 * mean.sqrt()
    } else {
        let (mut k, mut pmf) = (0u32, (-mean).exp());
        let mut cdf = pmf;
        while cdf < UNSCHEDULED_SERVICE_LEVEL {
            k += 1;
            pmf *= mean / f64::from(k);
            cdf += pmf;
        }
        f64::from(k)
    };
    (quantile - mean).max(0.0)
}

/// Whether one pack holds more than the item's expected demand over a shelf life: part of
/// every pack expires whatever is done, and each day it lands early is a day of shelf life lost.
fn outlasts_shelf_life(inputs: &Inputs, ordering: Ordering, period_days: u32) -> bool {
    let Some(shelf_life) = ordering.shelf_life_days else {
        return false;
    };
    let demand = total(
        daily_demand(&Inputs {
            horizon_days: period_days.max(1),
            ..inputs.clone()
        })
        .into_iter(),
    );
    f64::from(ordering.pack_size.max(1)) > over_shelf_life(demand, period_days, shelf_life) + EPSILON
}

/// Whether a pack ordered today would, at the period's mean daily rate, still be partly on the
/// shelf when it expires, counting the stock that is used before it (earliest expiry first).
fn ages_out(inputs: &Inputs, ordering: Ordering, daily: f64, pack: f64) -> bool {
    let Some(shelf_life) = ordering.shelf_life_days else {
        return false;
    };
    let until_expiry = daily * f64::from(ordering.lead_time_days + shelf_life);
    until_expiry - inputs.usable() - inputs.on_order() < pack - EPSILON
}

/// The demand of one shelf life, at the period's daily rate.
fn over_shelf_life(demand: f64, period_days: u32, shelf_life_days: u32) -> f64 {
    demand / f64::from(period_days.max(1)) * f64::from(shelf_life_days)
}

/// What to order today, when an order is needed to avoid a stockout within lead time + review +
/// safety, or to keep the margin for random unscheduled demand over that period — unless the
/// margin alone asks for a pack that would expire partly unused; `None` otherwise.
pub fn suggest(inputs: &Inputs, ordering: Ordering) -> Option<Suggestion> {
    let full_period = ordering.lead_time_days + ordering.review_days + ordering.safety_days;
    let period_days = if outlasts_shelf_life(inputs, ordering, full_period) {
        ordering.lead_time_days + ordering.review_days
    } else {
        full_period
    };
    let over_period = Inputs {
        horizon_days: period_days.max(1),
        ..inputs.clone()
    };
    let projection = run(&over_period, true, Shortfall::Carried);
    let stockout_on = projection.first_short.map(|i| projection.series[i].date);
    let demand = total(projection.series.iter().map(|d| d.demand));
    // A year without a catheter change makes the rate 0, yet the next one needs a catheter: the
    // simulation missed them so, again and again, as a failed procedure records no usage.
    let margin =
        unscheduled_margin(inputs.unscheduled_per_day * f64::from(period_days.max(1))).max(inputs.per_procedure);
    let usable = inputs.usable();
    let on_order = inputs.on_order();
    // A shortfall waits for the next arrival: counted day by day as lost, an empty shelf with a
    // pack on its way ordered a second pack (the simulation).
    let unmet = projection.unmet;
    let covered = demand + margin - usable - on_order;
    let pack = f64::from(ordering.pack_size.max(1));
    let needed = if unmet > EPSILON {
        covered.max(unmet + margin)
    } else if covered > EPSILON && !ages_out(inputs, ordering, demand / f64::from(period_days.max(1)), pack) {
        covered
    } else {
        return None;
    };
    let mut packs = ((needed / pack) - EPSILON).ceil().max(1.0) as u32;
    let mut shelf_life_demand = None;
    if let Some(days) = ordering.shelf_life_days {
        let limit = over_shelf_life(demand, period_days, days);
        if f64::from(packs) * pack > limit + EPSILON {
            // Lowered by whole packs, never below one: what cannot be used before it expires.
            packs = ((limit / pack).floor() as u32).max(1);
            shelf_life_demand = Some(limit);
        }
    }
    let expected_on = inputs.today + Duration::days(i64::from(ordering.lead_time_days));
    // Without a projected stockout only the margin asks for the order: today.
    let order_by = stockout_on
        .map_or(inputs.today, |on| {
            on - Duration::days(i64::from(ordering.lead_time_days))
        })
        .max(inputs.today);
    Some(Suggestion {
        quantity: packs * ordering.pack_size.max(1),
        order_by,
        expected_on,
        working: SuggestionWorking {
            period_days,
            demand,
            unscheduled_margin: margin,
            usable,
            on_order,
            unmet,
            needed,
            packs,
            shelf_life_demand,
        },
    })
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    /// 4 units on the shelf, a refill of 2 every 7 days from the 3rd; lead 10, review 7, safety 4:
    /// a 21-day period (1st–21st) with refills on the 3rd, 10th and 17th = 6 units of demand.
    fn roster(lots: f64) -> Inputs {
        Inputs {
            today: day(1),
            horizon_days: 90,
            lots: vec![SupplyLot {
                expires_on: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap(),
                quantity: lots,
            }],
            arrivals: vec![],
            per_refill: 2.0,
            roster: vec![Refills {
                next_refill_on: day(3),
                interval_days: 7,
            }],
            unscheduled_per_day: 0.0,
            per_procedure: 0.0,
        }
    }

    fn ordering(pack_size: u32, shelf_life_days: Option<u32>) -> Ordering {
        Ordering {
            lead_time_days: 10,
            review_days: 7,
            safety_days: 4,
            pack_size,
            shelf_life_days,
        }
    }

    #[test]
    fn enough_stock_for_the_period_needs_no_order() {
        assert_eq!(suggest(&roster(6.0), ordering(1, None)), None);
    }

    #[test]
    fn the_shortfall_is_rounded_up_to_whole_packs_and_dated() {
        let s = suggest(&roster(4.0), ordering(5, None)).unwrap();
        // Demand 6 − 4 on the shelf = 2, one pack of 5.
        assert_eq!((s.working.demand, s.working.needed, s.quantity), (6.0, 2.0, 5));
        assert_eq!(s.expected_on, day(11));
        // Stock runs out on the 17th; ordered after the 7th it lands too late.
        assert_eq!(s.order_by, day(7));
    }

    #[test]
    fn shelf_life_lowers_the_order_by_whole_packs_never_below_one() {
        // Needed 2, packs of 3 → 3; 7 days of shelf life use about 2: one pack of 3 is more (so
        // the period is lead time + review, 17 days, whose demand is 6), but never below one pack.
        let s = suggest(&roster(4.0), ordering(3, Some(7))).unwrap();
        assert_eq!((s.quantity, s.working.period_days), (3, 17));
        assert!((s.working.shelf_life_demand.unwrap() - 6.0 / 17.0 * 7.0).abs() < 1e-9);
        // With packs of 1 and 60 days of shelf life nothing is lowered: 2 units.
        let s = suggest(&roster(4.0), ordering(1, Some(60))).unwrap();
        assert_eq!((s.quantity, s.working.shelf_life_demand), (2, None));
    }

    #[test]
    fn stock_that_expires_unused_is_not_cover() {
        // 6 units, but 4 expire on the 2nd: the 17th is short although 6 ≥ 6 on paper.
        let mut inputs = roster(2.0);
        inputs.lots.push(SupplyLot {
            expires_on: day(2),
            quantity: 4.0,
        });
        let s = suggest(&inputs, ordering(1, None)).unwrap();
        assert_eq!(s.working.unmet, 4.0);
        assert_eq!(s.quantity, 4);
    }

    #[test]
    fn random_demand_keeps_a_margin_above_its_mean() {
        assert_eq!(unscheduled_margin(0.0), 0.0);
        // Poisson(0.46): P(≤1) = 0.92, P(≤2) = 0.988: two units, 1.54 above the mean.
        assert!((unscheduled_margin(0.46) - 1.54).abs() < 1e-9);
        // Poisson(3.8): P(≤6) = 0.909, P(≤7) = 0.960: the 95th percentile is 7.
        assert!((unscheduled_margin(3.8) - 3.2).abs() < 1e-9);
        // Large means: 1.645 standard deviations.
        assert!((unscheduled_margin(100.0) - 16.45).abs() < 1e-9);
    }

    #[test]
    fn a_slow_mover_is_reordered_before_its_mean_runs_out() {
        // One catheter change every 14 days on average, 3 on the shelf: the mean over the
        // 21-day period (1.5) is covered, its 95th percentile (4) is not: order today.
        let inputs = Inputs {
            lots: vec![SupplyLot {
                expires_on: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap(),
                quantity: 3.0,
            }],
            per_refill: 0.0,
            roster: vec![],
            unscheduled_per_day: 1.0 / 14.0,
            ..roster(0.0)
        };
        let s = suggest(&inputs, ordering(1, None)).unwrap();
        assert!((s.working.demand - 1.5).abs() < 1e-9);
        assert!((s.working.unscheduled_margin - 2.5).abs() < 1e-9);
        assert_eq!((s.working.unmet, s.quantity), (0.0, 1));
        assert_eq!(
            s.order_by,
            day(1),
            "no stockout projected: the margin asks for it today"
        );
        let stocked = Inputs {
            lots: vec![SupplyLot {
                expires_on: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap(),
                quantity: 4.0,
            }],
            ..inputs
        };
        assert_eq!(suggest(&stocked, ordering(1, None)), None);
    }

    #[test]
    fn an_item_a_procedure_takes_is_never_planned_to_zero() {
        // No catheter change in a year: the rate is 0, but the next change needs one catheter.
        let rare = |on_shelf: f64| Inputs {
            lots: vec![SupplyLot {
                expires_on: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap(),
                quantity: on_shelf,
            }],
            per_refill: 0.0,
            roster: vec![],
            per_procedure: 1.0,
            ..roster(0.0)
        };
        let s = suggest(&rare(0.0), ordering(1, None)).unwrap();
        assert_eq!((s.quantity, s.working.unscheduled_margin, s.order_by), (1, 1.0, day(1)));
        assert_eq!(
            suggest(&rare(1.0), ordering(1, None)),
            None,
            "one on the shelf is enough"
        );
    }

    #[test]
    fn a_pack_that_outlasts_its_shelf_life_is_ordered_to_land_as_stock_runs_out() {
        // 6 on the shelf, 2 a week from the 3rd: the 24th is short. Lead 10 + review 7 + safety 10.
        let ordering = |pack_size, shelf_life_days| Ordering {
            lead_time_days: 10,
            review_days: 7,
            safety_days: 10,
            pack_size,
            shelf_life_days,
        };
        let inputs = roster(6.0);
        assert_eq!(
            suggest(&inputs, ordering(1, None)).map(|s| s.working.period_days),
            Some(27)
        );
        // Packs of 12 that keep 30 days (about 9 units of demand): part of the pack expires
        // anyway, and the next review still lands in time: no order today.
        assert_eq!(suggest(&inputs, ordering(12, Some(30))), None);
    }

    /// NaOH at a small centre: rinses at `per_year`, packs of 4, one rinse takes one bottle.
    fn rinses(on_shelf: f64, arrivals: Vec<Arrival>, per_year: f64) -> Inputs {
        Inputs {
            lots: vec![SupplyLot {
                expires_on: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap(),
                quantity: on_shelf,
            }],
            arrivals,
            per_refill: 0.0,
            roster: vec![],
            unscheduled_per_day: per_year / 365.0,
            per_procedure: 1.0,
            ..roster(0.0)
        }
    }

    #[test]
    fn an_order_on_its_way_is_not_ordered_again() {
        // The shelf is empty, a pack lands on the 8th: the rinses of the days before wait for
        // it, and it covers the period — another pack would only double the stock.
        let arriving = |on| vec![Arrival { on, quantity: 4.0 }];
        assert_eq!(suggest(&rinses(0.0, arriving(day(8)), 4.5), ordering(4, None)), None);
        // A pack due after the 21-day period leaves the period short: order.
        let s = suggest(&rinses(0.0, arriving(day(25)), 4.5), ordering(4, None)).unwrap();
        assert!(s.working.unmet > 0.0);
        assert_eq!(s.quantity, 4);
    }

    #[test]
    fn a_pack_that_would_expire_on_the_shelf_waits_for_the_stockout() {
        // Three rinses a year, one bottle left: the margin asks for a pack, but a pack of 4 that
        // keeps a year would expire with a bottle or two unused behind the one on the shelf.
        let one_left = rinses(1.0, vec![], 3.0);
        assert!(
            suggest(&one_left, ordering(4, None)).is_some(),
            "without a shelf life it is ordered"
        );
        assert_eq!(suggest(&one_left, ordering(4, Some(365))), None);
        // Once the projection runs short after an order could land, it is ordered.
        let s = suggest(&rinses(0.0, vec![], 3.0), ordering(4, Some(365))).unwrap();
        assert_eq!((s.quantity, s.order_by), (4, day(1)));
    }
}
