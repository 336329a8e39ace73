//! Scanning: what a GS1 code says and which catalog item it names, before anything is written.

use actix_web::web;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::extract::Json;
use super::problem::Problem;
use super::texts;
use super::AppState;
use crate::clock;
use crate::domain::gs1::{self, Gs1Code};
use crate::domain::ids::ItemId;
use crate::service::read_catalog::item_by_gtin;

/// The words every unreadable scan's field error starts with.

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParseScanRequest {
    #[schema(value_type = texts::ScanData)]
    pub data: String,
}

/// One application identifier of the code and its value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScanElementDto {
    pub ai: String,
    pub value: String,
}

/// What the code says.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScanDto {
    /// GTIN-14.
    pub gtin: String,
    /// The French CIP13 a GTIN `03400…` holds.
    pub cip13: Option<String>,
    /// The catalog item with this GTIN; null if none.
    pub item_id: Option<ItemId>,
    pub lot_number: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub serial: Option<String>,
    pub production_date: Option<NaiveDate>,
    pub elements: Vec<ScanElementDto>,
    /// Read, but worth a look (a GS that may be missing).
    pub warnings: Vec<String>,
}

impl ScanDto {
    fn new(code: Gs1Code, item_id: Option<ItemId>) -> ScanDto {
        ScanDto {
            cip13: code.cip13().map(str::to_owned),
            gtin: code.gtin.to_string(),
            item_id,
            lot_number: code.lot_number,
            expires_on: code.expires_on,
            serial: code.serial,
            production_date: code.production_date,
            elements: code
                .elements
                .into_iter()
                .map(|e| ScanElementDto {
                    ai: e.ai,
                    value: e.value,
                })
                .collect(),
            warnings: code.warnings,
        }
    }
}

/// Read a scanned GS1 code (nothing is written): its GTIN, CIP13, lot, expiry, serial, and the
/// catalog item it names.
#[utoipa::path(post, path = "/api/v1/scans/parse", tag = "stock", request_body = ParseScanRequest,
    responses((status = 200, description = "What the code says", body = ScanDto),
        (status = 422, description = "The code cannot be read: the field error on `data` says why", body = Problem, content_type = "application/problem+json")))]
pub async fn parse(state: web::Data<AppState>, body: Json<ParseScanRequest>) -> Result<web::Json<ScanDto>, Problem> {
    let code = gs1::read("data", &body.into_inner().data, clock::today())
        .map_err(|e| Problem::invalid(crate::domain::validation::FieldErrors(vec![e])))?;
    let gtin = code.gtin.clone();
    let item_id = state.pool.run(move |c| item_by_gtin(c, &gtin)).await?;
    Ok(web::Json(ScanDto::new(code, item_id)))
}
