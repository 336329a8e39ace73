//! Stock: by item and location, its lots with their expiry, held and expired units; and on a lot,
//! a shelf count, waste with a reason, or a transfer (to the ward fridge) — each one movement
//! through the API's own path.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{Fields, Issues};
use super::i18n::{filters, t};
use super::problem::PageProblem;
use super::{chrome, date_text, html, number_text, recorded, see_other, Chrome, Names, Taken, VERSION};
use crate::clock;
use crate::domain::catalog::Named;
use crate::domain::ids::LocationId;
use crate::domain::ledger::{is_expired, MovementKind, WasteReason};
use crate::domain::page::read_all;
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::validation::FieldErrors;
use crate::service::count_stock::{count_stock, StockQuery};
use crate::service::input::movement::{parse_movement, MovementInput, MovementLineInput};
use crate::service::record_movement::record_movement;
use crate::service::refusal::Refusal;
use crate::state::AppState;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/stock", READ, show),
        route(M::POST, "/stock/{action}", PHARMACIST, act),
    ]
}

struct LotRow {
    lot_id: i64,
    number: String,
    expires: String,
    expired: bool,
    status: &'static str,
    quantity: String,
    held: String,
    /// The form of this lot the last write came from (its messages are shown there).
    failed: Option<&'static str>,
}

struct StockBlock {
    item_id: i64,
    item: String,
    location_id: i64,
    location: String,
    on_hand: String,
    available: String,
    expired: String,
    held: String,
    on_order: String,
    status: &'static str,
    status_class: &'static str,
    lots: Vec<LotRow>,
}

#[derive(Template)]
#[template(path = "stock.html", config = "src/web/askama.toml")]
struct StockPage {
    version: &'static str,
    chrome: Chrome,
    locations: Vec<(i64, String)>,
    location: Option<i64>,
    blocks: Vec<StockBlock>,
    reasons: Vec<(&'static str, &'static str)>,
    may_write: bool,
    issues: Issues,
    taken: Option<Taken>,
}

fn reason_fr(reason: WasteReason) -> &'static str {
    match reason {
        WasteReason::Expired => t("périmé"),
        WasteReason::Damaged => t("endommagé"),
        WasteReason::ColdChainBreach => t("rupture de la chaîne du froid"),
        WasteReason::Recalled => t("rappelé"),
        WasteReason::Other => t("autre"),
    }
}

/// Which form of which lot a failed write came from.
struct Failed {
    action: &'static str,
    lot: i64,
    location: i64,
}

async fn render(
    state: &AppState,
    (user, csrf): (User, String),
    location: Option<i64>,
    issues: Issues,
    failed: Option<Failed>,
    done: Option<i64>,
) -> Result<HttpResponse, PageProblem> {
    let today = clock::today();
    let query = StockQuery {
        item: None,
        location: location.map(LocationId),
        category: None,
        by_location: true,
    };
    let (rows, names) = state
        .pool
        .run(move |c| Ok::<_, Refusal>((read_all(|page| count_stock(c, &query, today, page))?, Names::read(c)?)))
        .await?;
    let taken = recorded(state, done).await?.map(|(m, names)| Taken::of(&m, &names));
    let blocks = rows
        .into_iter()
        .filter_map(|row| {
            let location = row.location_id?;
            let (status, status_class) = super::status_label(row.figures.status);
            Some(StockBlock {
                item_id: row.item_id.0,
                item: names.item(row.item_id),
                location_id: location.0,
                location: names.location(location),
                on_hand: number_text(row.figures.on_hand),
                available: number_text(row.figures.available),
                expired: number_text(row.figures.expired),
                held: number_text(row.figures.quarantined),
                on_order: number_text(row.on_order),
                status,
                status_class,
                lots: row
                    .lots
                    .iter()
                    .filter(|b| b.quantity != 0)
                    .map(|b| LotRow {
                        lot_id: b.lot_id.0,
                        number: b.lot_number.clone(),
                        expires: date_text(b.expires_on),
                        expired: is_expired(b.expires_on, today),
                        status: super::lot_status_fr(b.status),
                        quantity: number_text(b.quantity),
                        held: number_text(b.held),
                        failed: failed
                            .as_ref()
                            .filter(|f| f.lot == b.lot_id.0 && f.location == location.0)
                            .map(|f| f.action),
                    })
                    .collect(),
            })
        })
        .collect();
    let page = StockPage {
        version: VERSION,
        may_write: user.role.includes(Role::Pharmacist),
        chrome: chrome("stock", &user, csrf),
        locations: names.location_options(),
        location,
        blocks,
        reasons: WasteReason::ALL.iter().map(|r| (r.as_str(), reason_fr(*r))).collect(),
        issues,
        taken,
    };
    Ok(html(page.issues.status(), &page))
}

#[derive(Deserialize)]
struct StockView {
    location: Option<String>,
    movement: Option<i64>,
}

async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<StockView>,
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    let location = query.location.as_deref().and_then(|l| l.parse().ok());
    render(&state, signed, location, Issues::default(), None, query.movement).await
}

/// The movement a lot's form asks for, in the API's terms (its messages name `lines[0].…`).
fn request_of(action: &'static str, fields: &Fields) -> Result<MovementInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let location_id = fields.number("location_id", &mut errors);
    let mut line = MovementLineInput {
        item_id: fields.number("item_id", &mut errors),
        lot_id: fields.number("lot_id", &mut errors),
        ..MovementLineInput::default()
    };
    let (kind, reason, to_location_id) = match action {
        "count" => {
            line.counted_quantity = fields.number("lines[0].counted_quantity", &mut errors);
            (MovementKind::Count, None, None)
        }
        "waste" => {
            line.quantity = fields.number("lines[0].quantity", &mut errors);
            (MovementKind::Waste, fields.optional("reason"), None)
        }
        _ => {
            line.quantity = fields.number("lines[0].quantity", &mut errors);
            let to = fields.number("to_location_id", &mut errors);
            (MovementKind::Transfer, None, to)
        }
    };
    let request = MovementInput {
        kind,
        occurred_at: None,
        location_id,
        to_location_id,
        patient_id: None,
        reason,
        reference: None,
        note: fields.optional("note"),
        lines: vec![line],
    };
    errors.finish(|| Some(request))
}

async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    action: web::Path<String>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    let signed = signed(&req)?;
    let action: &'static str = match action.as_str() {
        "count" => "count",
        "waste" => "waste",
        "transfer" => "transfer",
        _ => return Err(PageProblem::not_found()),
    };
    let view = fields.text("view").parse::<i64>().ok();
    let failed = || Failed {
        action,
        lot: fields.text("lot_id").parse().unwrap_or(0),
        location: fields.text("location_id").parse().unwrap_or(0),
    };
    let request = match request_of(action, &fields) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let issues = Issues::from_refusal(errors.into());
            return render(&state, signed, view, issues, Some(failed()), None).await;
        }
    };
    let now = clock::now();
    let policy = state.policy;
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let recorded = state
        .pool
        .run(move |c| {
            let new = parse_movement(c, now, request, Vec::new())?;
            Ok::<_, Refusal>(record_movement(c, &actor, now, policy, new)?)
        })
        .await;
    match recorded {
        Ok(movement) => {
            let view = view.map(|l| format!("&location={l}")).unwrap_or_default();
            Ok(see_other(&format!("/stock?movement={}{view}", movement.id)))
        }
        Err(problem) => {
            render(
                &state,
                signed,
                view,
                Issues::from_refusal(problem),
                Some(failed()),
                None,
            )
            .await
        }
    }
}
