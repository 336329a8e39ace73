//! Usage reports (JSON, or CSV for `Accept: text/csv`) and lot recipients for recalls.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::dto::{utc, List, PageParams};
use super::problem::Problem;
use super::AppState;
use crate::domain::catalog::{Item, ItemFilter, Named};
use crate::domain::ids::{ItemId, LotId, MovementId, PatientId};
use crate::domain::ledger::MovementKind;
use crate::domain::page::{PageRequest, MAX_LIMIT};
use crate::domain::text;
use crate::domain::usage::{totals_by_item, totals_by_patient, UsageEntry};
use crate::service::read_catalog::list_items;
use crate::service::report_usage::{lot_recipients, patient_usage, usage_report};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day, inclusive.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    #[serde(default, deserialize_with = "super::dto::date")]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemTotalDto {
    pub item_id: ItemId,
    /// Net units: dispensed less returned.
    pub quantity: i64,
}

/// One dispensation (positive) or return (negative) line.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DispensationDto {
    pub movement_id: MovementId,
    pub kind: MovementKind,
    pub dispensed_at: DateTime<Utc>,
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub lot_number: String,
    pub quantity: i64,
    /// The serialised pack, when the line was scanned.
    pub serial: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatientUsageDto {
    pub patient_id: PatientId,
    #[serde(default, deserialize_with = "super::dto::date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::dto::date")]
    pub to: Option<NaiveDate>,
    pub totals: Vec<ItemTotalDto>,
    /// Reversed movements are left out; returns appear with a negative quantity.
    pub dispensations: Vec<DispensationDto>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatientItemTotalDto {
    pub patient_id: PatientId,
    pub patient_reference: String,
    pub item_id: ItemId,
    pub quantity: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageReportDto {
    #[serde(default, deserialize_with = "super::dto::date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::dto::date")]
    pub to: Option<NaiveDate>,
    pub by_item: Vec<ItemTotalDto>,
    pub by_patient: Vec<PatientItemTotalDto>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecipientDispensationDto {
    pub movement_id: MovementId,
    pub dispensed_at: DateTime<Utc>,
    /// Negative for a return.
    pub quantity: i64,
}

/// A patient who holds units of the lot.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecipientDto {
    pub patient_id: PatientId,
    pub patient_reference: String,
    /// Units held: received less returned.
    pub quantity: i64,
    pub dispensations: Vec<RecipientDispensationDto>,
    /// Serial numbers of the packs of the lot the patient holds (scanned dispensations).
    pub serials: Vec<String>,
}

fn totals_dto(entries: &[UsageEntry]) -> Vec<ItemTotalDto> {
    totals_by_item(entries)
        .into_iter()
        .map(|(item_id, quantity)| ItemTotalDto { item_id, quantity })
        .collect()
}

fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/csv")))
}

fn csv_response(filename: &str, header_row: &[&str], rows: impl Iterator<Item = Vec<String>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        // Patient references and what they received: not for a shared cache.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(text::csv_table(header_row, rows))
}

fn period_name(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "all".into());
    format!("{}_{}", day(from), day(to))
}

/// Item codes and names for the CSV, which people read.
fn catalog(
    conn: &mut crate::db::DbConnection,
) -> Result<HashMap<ItemId, Item>, crate::service::read_catalog::ReadError> {
    let mut all = HashMap::new();
    let mut page = PageRequest {
        after: None,
        limit: MAX_LIMIT,
    };
    loop {
        let items = list_items(conn, &ItemFilter::default(), page)?;
        let last = items.items.last().map(|i| i.id.0);
        all.extend(items.items.into_iter().map(|i| (i.id, i)));
        match (items.next_cursor, last) {
            (Some(_), Some(last)) => page.after = Some(last),
            _ => return Ok(all),
        }
    }
}

fn item_columns(items: &HashMap<ItemId, Item>, id: ItemId) -> [String; 3] {
    let (code, name) = items
        .get(&id)
        .map(|i| (i.code.clone(), i.name.clone()))
        .unwrap_or_default();
    [id.to_string(), code, name]
}

/// What one patient received over a period, net of returns and reversals.
#[utoipa::path(get, path = "/api/v1/patients/{id}/usage", tag = "patients",
    params(("id" = i64, Path, description = "Patient id"), PeriodParams),
    responses((status = 200, description = "Totals per item and every line; `Accept: text/csv` for CSV",
        content((PatientUsageDto = "application/json"), (String = "text/csv")))))]
pub async fn patient(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    period: web::Query<PeriodParams>,
) -> Result<HttpResponse, Problem> {
    // A period whose `from` is after its `to` is simply empty.
    let (from, to) = (period.from, period.to);
    let id = PatientId(id.into_inner());
    let csv = wants_csv(&req);
    let (patient, entries, items) = state
        .pool
        .run(move |c| {
            let (patient, entries) = patient_usage(c, id, from, to)?;
            let items = if csv { catalog(c)? } else { HashMap::new() };
            Ok::<_, Problem>((patient, entries, items))
        })
        .await?;
    if csv {
        let filename = format!("usage_{}_{}.csv", patient.reference, period_name(from, to));
        let rows = entries.iter().map(|e| {
            let [item_id, code, name] = item_columns(&items, e.item_id);
            vec![
                e.movement_id.to_string(),
                e.kind.as_str().to_owned(),
                utc(e.occurred_at).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                item_id,
                code,
                name,
                e.lot_id.to_string(),
                e.lot_number.clone(),
                e.quantity.to_string(),
            ]
        });
        let header_row = [
            "movement_id",
            "kind",
            "dispensed_at",
            "item_id",
            "item_code",
            "item_name",
            "lot_id",
            "lot_number",
            "quantity",
        ];
        return Ok(csv_response(&filename, &header_row, rows));
    }
    let dto = PatientUsageDto {
        patient_id: patient.id,
        from,
        to,
        totals: totals_dto(&entries),
        dispensations: entries
            .into_iter()
            .map(|e| DispensationDto {
                movement_id: e.movement_id,
                kind: e.kind,
                dispensed_at: utc(e.occurred_at),
                item_id: e.item_id,
                lot_id: e.lot_id,
                lot_number: e.lot_number,
                quantity: e.quantity,
                serial: e.serial,
            })
            .collect(),
    };
    Ok(HttpResponse::Ok().json(dto))
}

/// Usage of every patient over a period: per item and per patient (the monthly report).
#[utoipa::path(get, path = "/api/v1/reports/usage", tag = "patients", params(PeriodParams),
    responses((status = 200, description = "Totals per item and per patient and item; `Accept: text/csv` for CSV",
        content((UsageReportDto = "application/json"), (String = "text/csv")))))]
pub async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    period: web::Query<PeriodParams>,
) -> Result<HttpResponse, Problem> {
    // A period whose `from` is after its `to` is simply empty.
    let (from, to) = (period.from, period.to);
    let csv = wants_csv(&req);
    let (entries, items) = state
        .pool
        .run(move |c| {
            let entries = usage_report(c, from, to)?;
            let items = if csv { catalog(c)? } else { HashMap::new() };
            Ok::<_, Problem>((entries, items))
        })
        .await?;
    let by_patient = totals_by_patient(&entries);
    if csv {
        let filename = format!("usage_report_{}.csv", period_name(from, to));
        let rows = by_patient.into_iter().map(|(patient, reference, item, quantity)| {
            let [item_id, code, name] = item_columns(&items, item);
            vec![
                patient.to_string(),
                reference,
                item_id,
                code,
                name,
                quantity.to_string(),
            ]
        });
        let header_row = [
            "patient_id",
            "patient_reference",
            "item_id",
            "item_code",
            "item_name",
            "quantity",
        ];
        return Ok(csv_response(&filename, &header_row, rows));
    }
    let dto = UsageReportDto {
        from,
        to,
        by_item: totals_dto(&entries),
        by_patient: by_patient
            .into_iter()
            .map(
                |(patient_id, patient_reference, item_id, quantity)| PatientItemTotalDto {
                    patient_id,
                    patient_reference,
                    item_id,
                    quantity,
                },
            )
            .collect(),
    };
    Ok(HttpResponse::Ok().json(dto))
}

/// Everyone who holds units of a lot (recall), net of returns and reversals, whatever the FEFO splits.
#[utoipa::path(get, path = "/api/v1/lots/{id}/recipients", tag = "stock",
    params(("id" = i64, Path, description = "Lot id"), PageParams),
    responses((status = 200, description = "Patients in id order", body = List<RecipientDto>)))]
pub async fn recipients(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    page: web::Query<PageParams>,
) -> Result<web::Json<List<RecipientDto>>, Problem> {
    let page = page.page_request()?;
    let lot = LotId(id.into_inner());
    let found = state.pool.run(move |c| lot_recipients(c, lot, page)).await?;
    Ok(web::Json(List::from_page(found, |r| RecipientDto {
        patient_id: r.patient_id,
        patient_reference: r.patient_reference,
        quantity: r.quantity,
        dispensations: r
            .movements
            .into_iter()
            .map(|(movement_id, at, quantity)| RecipientDispensationDto {
                movement_id,
                dispensed_at: utc(at),
                quantity,
            })
            .collect(),
        serials: r.serials,
    })))
}
