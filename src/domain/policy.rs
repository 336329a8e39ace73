//! The configured rules a write applies, given by the caller like the time.

use super::forecast::ForecastPolicy;
use super::time::BackdatePolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// `ledger.max_backdate_days`.
    pub backdate: BackdatePolicy,
    /// `forecast.review_days` and `forecast.safety_days`.
    pub forecast: ForecastPolicy,
}
