//! `GET /api/v1/forecast`: will the booked refills be served?

use actix_web::web;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dto::{List, PageParams};
use super::problem::Problem;
use super::AppState;
use crate::clock;
use crate::domain::forecast::{Suggestion, DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS};
use crate::domain::ids::ItemId;
use crate::service::forecast::{forecast_page, ItemForecast};

/// Fractional units (a rate times days), shown to two decimals; never `-0`.
fn units(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DemandDto {
    /// Units the booked refills consume over the horizon.
    pub scheduled: f64,
    /// Units of the other usage at its daily rate over the horizon.
    pub unscheduled: f64,
    pub total: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForecastDayDto {
    pub date: NaiveDate,
    /// Usable units at the end of the day.
    pub available: f64,
    pub demand: f64,
    pub arriving: f64,
    /// Units of lots that expired the day before, leaving unused.
    pub expiring: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SupplyLotDto {
    pub expires_on: NaiveDate,
    pub quantity: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ArrivalDto {
    /// The order's expected day (an overdue order is counted as arriving today).
    pub expected_on: NaiveDate,
    pub quantity: i64,
}

/// Every input of the projection, for a pharmacist to check the figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForecastWorkingDto {
    /// Active patients with a next refill date.
    pub patients_on_roster: u32,
    /// Refills booked within the horizon (each patient on max(next_refill_on, today), then every interval).
    pub refills_in_horizon: u32,
    /// Units of this item in the `refill` procedure.
    pub units_per_refill: f64,
    /// Units dispensed outside the `refill` procedure from `usage_from` to `usage_to`.
    pub unscheduled_units: i64,
    pub usage_from: NaiveDate,
    pub usage_to: NaiveDate,
    /// The days averaged over: 365, or the days the ledger has been kept when fewer (182 at least).
    pub usage_days: u32,
    /// `unscheduled_units / usage_days`.
    pub unscheduled_per_day: f64,
    /// The supplier's (0 without a supplier).
    pub lead_time_days: u32,
    pub supplier_set: bool,
    pub review_days: u32,
    pub safety_days: u32,
    pub pack_size: u32,
    pub shelf_life_days: Option<u32>,
    /// Usable lots (available, not expired) across all locations, earliest expiry first.
    pub lots: Vec<SupplyLotDto>,
    /// What open orders still bring.
    pub arrivals: Vec<ArrivalDto>,
    pub explanation: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForecastSuggestionWorkingDto {
    /// Lead time + review + safety days.
    pub period_days: u32,
    /// Demand over the period.
    pub demand: f64,
    /// Units kept above the period's mean unscheduled demand for its randomness (its 95th
    /// percentile, Poisson).
    pub unscheduled_margin: f64,
    /// Usable units now.
    pub usable: f64,
    pub on_order: f64,
    /// Demand that stock and open orders leave unserved by the end of the period, a shortfall
    /// waiting for the next arrival (expiries counted).
    pub unmet: f64,
    /// demand + unscheduled_margin − usable − on_order, or unmet + unscheduled_margin if larger, before rounding.
    pub needed: f64,
    pub pack_size: u32,
    pub packs: u32,
    pub shelf_life_days: Option<u32>,
    /// Demand over one shelf life, when it lowered the quantity.
    pub shelf_life_demand: Option<f64>,
    pub explanation: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForecastSuggestionDto {
    /// Units, a whole number of packs.
    pub quantity: u32,
    /// Ordered after this day, the order lands after the projected stockout.
    pub order_by: NaiveDate,
    /// When an order placed today lands.
    pub expected_on: NaiveDate,
    pub working: ForecastSuggestionWorkingDto,
}

impl ForecastSuggestionDto {
    pub fn new(s: &Suggestion, pack_size: u32, shelf_life_days: Option<u32>) -> ForecastSuggestionDto {
        let w = &s.working;
        let mut explanation = format!(
            "over {} days (lead time + review + safety) demand is {:.2}, and {:.2} more kept for random unscheduled demand; \
             usable {:.2} and on order {:.2} leave {:.2} unserved; {:.2} needed, rounded up to {} pack(s) of {pack_size} = {}",
            w.period_days,
            w.demand,
            w.unscheduled_margin,
            w.usable,
            w.on_order,
            w.unmet,
            w.needed,
            w.packs,
            s.quantity
        );
        if let (Some(limit), Some(days)) = (w.shelf_life_demand, shelf_life_days) {
            explanation.push_str(&format!(
                "; lowered to what {days} days of shelf life can use ({limit:.2} units), never below one pack"
            ));
        }
        explanation.push_str(&format!(
            "; ordered today it lands on {}, ordered after {} it lands after the projected stockout",
            s.expected_on, s.order_by
        ));
        ForecastSuggestionDto {
            quantity: s.quantity,
            order_by: s.order_by,
            expected_on: s.expected_on,
            working: ForecastSuggestionWorkingDto {
                period_days: w.period_days,
                demand: units(w.demand),
                unscheduled_margin: units(w.unscheduled_margin),
                usable: units(w.usable),
                on_order: units(w.on_order),
                unmet: units(w.unmet),
                needed: units(w.needed),
                pack_size,
                packs: w.packs,
                shelf_life_days,
                shelf_life_demand: w.shelf_life_demand.map(units),
                explanation,
            },
        }
    }
}

/// One item's forecast.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForecastDto {
    pub item_id: ItemId,
    pub as_of: NaiveDate,
    pub horizon_days: u32,
    /// Usable units now, all locations.
    pub available: i64,
    /// Units still to come from open and partially received orders.
    pub on_order: i64,
    pub demand: DemandDto,
    /// Days until usable stock alone first falls short (0: today already); null beyond the horizon.
    pub days_of_cover: Option<i64>,
    /// The first day whose demand cannot be met in full, counting arrivals; null if none.
    pub stockout_on: Option<NaiveDate>,
    /// Units that leave the projection unused because they expired.
    pub expiring_unused: f64,
    pub suggestion: Option<ForecastSuggestionDto>,
    pub series: Vec<ForecastDayDto>,
    pub working: ForecastWorkingDto,
}

impl From<ItemForecast> for ForecastDto {
    fn from(f: ItemForecast) -> ForecastDto {
        let basis = &f.basis;
        let inputs = &basis.inputs;
        let ordering = basis.ordering;
        let mut lots: Vec<SupplyLotDto> = inputs
            .lots
            .iter()
            .map(|l| SupplyLotDto {
                expires_on: l.expires_on,
                quantity: l.quantity as i64,
            })
            .collect();
        lots.sort_by_key(|l| l.expires_on);
        let mut arrivals: Vec<ArrivalDto> = inputs
            .arrivals
            .iter()
            .map(|a| ArrivalDto {
                expected_on: a.on,
                quantity: a.quantity as i64,
            })
            .collect();
        arrivals.sort_by_key(|a| a.expected_on);
        let explanation = format!(
            "{} refill(s) booked in {} days × {} unit(s) = {:.2} scheduled; {} unit(s) of other usage from {} to {} \
             / {} days = {:.3} a day × {} days = {:.2} unscheduled; {} usable now, {} on order; {}",
            f.refills,
            inputs.horizon_days,
            inputs.per_refill,
            f.scheduled,
            basis.unscheduled_in_window,
            basis.usage_from,
            basis.usage_to,
            basis.usage_days,
            inputs.unscheduled_per_day,
            inputs.horizon_days,
            f.unscheduled,
            f.available,
            f.on_order,
            match f.projection.stockout_on {
                Some(on) => format!("the first day short is {on}"),
                None => "every day of the horizon is served".to_owned(),
            }
        );
        ForecastDto {
            item_id: f.item_id,
            as_of: inputs.today,
            horizon_days: inputs.horizon_days,
            available: f.available,
            on_order: f.on_order,
            demand: DemandDto {
                scheduled: units(f.scheduled),
                unscheduled: units(f.unscheduled),
                total: units(f.scheduled + f.unscheduled),
            },
            days_of_cover: f.projection.days_of_cover,
            stockout_on: f.projection.stockout_on,
            expiring_unused: units(f.projection.expiring_unused),
            suggestion: f
                .suggestion
                .as_ref()
                .map(|s| ForecastSuggestionDto::new(s, ordering.pack_size, ordering.shelf_life_days)),
            series: f
                .projection
                .series
                .iter()
                .map(|d| ForecastDayDto {
                    date: d.date,
                    available: units(d.available),
                    demand: units(d.demand),
                    arriving: units(d.arriving),
                    expiring: units(d.expiring),
                })
                .collect(),
            working: ForecastWorkingDto {
                patients_on_roster: basis.patients,
                refills_in_horizon: f.refills,
                units_per_refill: inputs.per_refill,
                unscheduled_units: basis.unscheduled_in_window,
                usage_from: basis.usage_from,
                usage_to: basis.usage_to,
                usage_days: basis.usage_days,
                unscheduled_per_day: (inputs.unscheduled_per_day * 10_000.0).round() / 10_000.0,
                lead_time_days: ordering.lead_time_days,
                supplier_set: basis.supplier_set,
                review_days: ordering.review_days,
                safety_days: ordering.safety_days,
                pack_size: ordering.pack_size,
                shelf_life_days: ordering.shelf_life_days,
                lots,
                arrivals,
                explanation,
            },
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    /// Only this item (404 if it is not an active item).
    pub item_id: Option<i64>,
    /// Days projected from today, 1–730 (default 90).
    #[param(minimum = 1, maximum = 730)]
    pub horizon_days: Option<i64>,
}

/// Will the booked refills be served? One projection per active item (or the one asked for),
/// across all locations, day by day from today.
#[utoipa::path(get, path = "/api/v1/forecast", tag = "supply", params(ForecastQuery, PageParams),
    responses((status = 200, description = "One forecast per active item, in id order", body = List<ForecastDto>),
        (status = 400, description = "A horizon outside 1–730", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such active item", body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    state: web::Data<AppState>,
    query: web::Query<ForecastQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<ForecastDto>>, Problem> {
    let page = page.page_request()?;
    let horizon = match query.horizon_days {
        None => DEFAULT_HORIZON_DAYS,
        Some(days) => u32::try_from(days)
            .ok()
            .filter(|d| (1..=MAX_HORIZON_DAYS).contains(d))
            .ok_or_else(|| Problem::malformed(format!("horizon_days: must be between 1 and {MAX_HORIZON_DAYS}")))?,
    };
    let only = query.item_id.map(ItemId);
    let today = clock::today();
    let policy = state.policy.forecast;
    let forecasts = state
        .pool
        .run(move |c| forecast_page(c, today, horizon, only, policy, page))
        .await?;
    Ok(web::Json(List::from_page(forecasts, ForecastDto::from)))
}
