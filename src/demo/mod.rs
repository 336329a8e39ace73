//! Generators of data for demos and benchmarks: not use-cases of the service, but built on
//! them (`year`, a year of a MIP centre through the same use-cases as the API) or beside them
//! (`history`, millions of ledger lines written in bulk).

pub mod history;
pub mod year;
