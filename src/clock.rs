//! The one place the service reads the wall clock. Handlers, the scheduler and the CLI take
//! `now`/`today` from here and hand them down; nothing below the edge reads the clock.

use chrono::{NaiveDate, NaiveDateTime, Utc};

use crate::domain::time::stamp;

pub fn now() -> NaiveDateTime {
    stamp(Utc::now())
}

/// The current UTC date: "today" in the API's sense.
pub fn today() -> NaiveDate {
    now().date()
}
