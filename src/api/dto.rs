//! Shapes shared by every resource: lists and pagination parameters.

use serde::{Deserialize, Serialize};

use crate::domain::page::{Page, PageRequest};
use crate::domain::validation::FieldErrors;

use super::problem::Problem;

/// Every collection answers `{"data": [...], "next_cursor": "…" | null}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct List<T> {
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    pub fn from_page<D>(page: Page<D>, to_dto: impl FnMut(D) -> T) -> List<T> {
        let next_cursor = page.next_cursor.clone();
        List {
            data: page.items.into_iter().map(to_dto).collect(),
            next_cursor,
        }
    }
}

/// `?cursor=…&limit=N`, parsed into a page request (bad values → 400).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next_cursor` of the previous page.
    #[param(max_length = 19, pattern = "^c[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Rows per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

impl PageParams {
    pub fn page_request(&self) -> Result<PageRequest, Problem> {
        PageRequest::parse(self.cursor.as_deref(), self.limit).map_err(|e| {
            let mut problem = Problem::malformed(format!("{}: {}", e.field, e.message));
            problem.errors = FieldErrors(vec![e]).0;
            problem
        })
    }
}

/// An optional search text from a query string, trimmed; empty means no filter.
pub fn search_text(q: &Option<String>) -> Result<Option<String>, Problem> {
    match q.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > 200 => Err(Problem::malformed("q: must be at most 200 characters")),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

/// For PATCH fields that may be left out but not cleared: `null` is refused like any other value
/// of the wrong type, so a body cannot name a field without changing it.
pub fn present<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An optional date field: exactly `YYYY-MM-DD` (see `domain::time::parse_date`).
pub fn date<'de, D>(deserializer: D) -> Result<Option<chrono::NaiveDate>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) => crate::domain::time::parse_date(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date YYYY-MM-DD"))),
    }
}

/// A date field that `null` clears (PATCH): absent → `None`, `null` → `Some(None)`.
pub fn clearable_date<'de, D>(deserializer: D) -> Result<Option<Option<chrono::NaiveDate>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    date(deserializer).map(Some)
}

/// A timestamp as the API shows it: RFC 3339 in UTC.
pub fn utc(at: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    at.and_utc()
}

/// Schema of a GTIN as sent: 8, 12, 13 or 14 digits (the GS1 check digit is checked too).
pub struct GtinText;

impl utoipa::PartialSchema for GtinText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(8))
            .max_length(Some(14))
            .pattern(Some("^([0-9]{8}|[0-9]{12,14})$"))
            .examples(["03400958574849"])
            .into()
    }
}

impl utoipa::ToSchema for GtinText {}
