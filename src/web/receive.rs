//! Receive: a delivery, against an order or not, line by line. A handheld scanner's code fills a
//! line's item, lot, expiry and serial ("Lire les codes", which Enter in a field also does); the
//! manual path is the same fields typed. Both go through the API's own receipt path.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{date, number, scanned_codes, visible_code, Fields, Issues};
use super::i18n::{fill, filters};
use super::problem::PageProblem;
use super::{chrome, date_text, html, recorded, see_other, Chrome, Names, Taken, VERSION};
use crate::clock;
use crate::domain::ids::OrderId;
use crate::domain::ledger::{MovementKind, MovementRequest, ReceiptLine};
use crate::domain::role::Role;
use crate::domain::supply::Order;
use crate::domain::user::User;
use crate::domain::validation::FieldErrors;
use crate::service::input::movement::{parse_movement, renumber_lines, MovementInput, MovementLineInput};
use crate::service::read_catalog::ReadError;
use crate::service::read_supply::get_order;
use crate::service::read_supply::pending_orders;
use crate::service::record_movement::record_movement;
use crate::service::refusal::Refusal;
use crate::state::AppState;

/// Blank lines a delivery form offers beyond an order's own.
const BLANK_LINES: usize = 4;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/receive", READ, form),
        route(M::POST, "/receive", PHARMACIST, submit),
    ]
}

/// One line of the form as typed (or as a scan filled it).
#[derive(Clone, Default)]
struct Row {
    scan: String,
    item_id: String,
    lot_number: String,
    expires_on: String,
    quantity: String,
    serial: String,
    order_line_id: String,
    /// What the order still expects on this line, when it comes from an order.
    expected: String,
}

impl Row {
    fn is_blank(&self) -> bool {
        [
            &self.scan,
            &self.lot_number,
            &self.expires_on,
            &self.quantity,
            &self.serial,
        ]
        .iter()
        .all(|v| v.is_empty())
    }
}

struct OrderChoice {
    id: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "receive.html", config = "src/web/askama.toml")]
struct ReceivePage {
    version: &'static str,
    chrome: Chrome,
    orders: Vec<OrderChoice>,
    order: Option<OrderChoice>,
    items: Vec<(i64, String)>,
    locations: Vec<(i64, String)>,
    location: String,
    reference: String,
    rows: Vec<Row>,
    notice: Option<String>,
    may_write: bool,
    issues: Issues,
    taken: Option<Taken>,
}

impl ReceivePage {
    /// The message about one field of one line.
    fn line_issue(&self, row: &usize, field: &str) -> Option<&str> {
        self.issues.at(&format!("lines[{row}].{field}"))
    }
}

struct Entered {
    order: Option<i64>,
    location: String,
    reference: String,
    rows: Vec<Row>,
    notice: Option<String>,
    issues: Issues,
}

fn order_label(order: &Order, names: &Names) -> String {
    let what = order
        .lines
        .iter()
        .map(|l| format!("{} × {}", l.remaining(), names.item(l.item_id)))
        .collect::<Vec<_>>()
        .join(", ");
    let reference = order.reference.clone().unwrap_or_else(|| fill("n° {}", &[&order.id]));
    fill(
        "{} — attendue le {} — {}",
        &[&reference, &date_text(order.expected_on), &what],
    )
}

/// The orders still expecting something, the chosen one, and the names for the page.
async fn context(state: &AppState, chosen: Option<i64>) -> Result<(Vec<Order>, Option<Order>, Names), PageProblem> {
    Ok(state
        .pool
        .run(move |c| {
            let pending = pending_orders(c)?;
            let order = match chosen {
                Some(id) => match get_order(c, OrderId(id)) {
                    Ok(order) => Some(order),
                    Err(ReadError::NotFound) => None,
                    Err(e) => return Err(e),
                },
                None => None,
            };
            Ok((pending, order, Names::read(c)?))
        })
        .await?)
}

/// The lines an order still expects, then blank ones.
fn rows_for(order: Option<&Order>) -> Vec<Row> {
    let mut rows: Vec<Row> = order
        .iter()
        .flat_map(|o| o.lines.iter().filter(|l| l.remaining() > 0))
        .map(|l| Row {
            item_id: l.item_id.0.to_string(),
            order_line_id: l.id.0.to_string(),
            expected: l.remaining().to_string(),
            ..Row::default()
        })
        .collect();
    rows.extend(std::iter::repeat_n(Row::default(), BLANK_LINES));
    rows
}

async fn render(
    state: &AppState,
    (user, csrf): (User, String),
    entered: Entered,
    done: Option<i64>,
) -> Result<HttpResponse, PageProblem> {
    let (pending, order, names) = context(state, entered.order).await?;
    let taken = recorded(state, done)
        .await?
        .filter(|(m, _)| m.kind == MovementKind::Receipt)
        .map(|(m, names)| Taken::of(&m, &names));
    let rows = if entered.rows.is_empty() {
        rows_for(order.as_ref())
    } else {
        entered.rows
    };
    let page = ReceivePage {
        version: VERSION,
        may_write: user.role.includes(Role::Pharmacist),
        chrome: chrome("receive", &user, csrf),
        orders: pending
            .iter()
            .map(|o| OrderChoice {
                id: o.id.0,
                label: order_label(o, &names),
            })
            .collect(),
        order: order.as_ref().map(|o| OrderChoice {
            id: o.id.0,
            label: order_label(o, &names),
        }),
        items: names.item_options(),
        location: if entered.location.is_empty() {
            names
                .location_options()
                .first()
                .map(|(id, _)| id.to_string())
                .unwrap_or_default()
        } else {
            entered.location
        },
        locations: names.location_options(),
        reference: entered.reference,
        rows,
        notice: entered.notice,
        issues: entered.issues,
        taken,
    };
    Ok(html(page.issues.status(), &page))
}

#[derive(Deserialize)]
struct ReceiveQuery {
    order: Option<i64>,
    movement: Option<i64>,
}

async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ReceiveQuery>,
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    let entered = Entered {
        order: query.order,
        location: String::new(),
        reference: String::new(),
        rows: Vec::new(),
        notice: None,
        issues: Issues::default(),
    };
    render(&state, signed, entered, query.movement).await
}

/// The form's lines, as typed (`lines[0].scan`, `lines[0].item_id`…).
fn rows_of(fields: &Fields) -> Vec<Row> {
    let count = fields
        .0
        .iter()
        .filter(|(k, _)| k.starts_with("lines[") && k.ends_with("].item_id"))
        .count();
    (0..count)
        .map(|i| {
            let get = |name: &str| fields.text(&format!("lines[{i}].{name}")).to_owned();
            Row {
                scan: scanned_codes(&get("scan")).into_iter().next().unwrap_or_default(),
                item_id: get("item_id"),
                lot_number: get("lot_number"),
                expires_on: get("expires_on"),
                quantity: get("quantity"),
                serial: get("serial"),
                order_line_id: get("order_line_id"),
                expected: get("expected"),
            }
        })
        .collect()
}

/// The receipt request the filled-in lines make (blank lines left out); `rows[k]` is the form
/// line of the request's line `k`.
fn request_of(fields: &Fields, rows: &[Row]) -> Result<(MovementInput, Vec<usize>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let location_id = fields.number("location_id", &mut errors);
    let mut lines = Vec::new();
    let mut filled = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
        let named = |field: &str| format!("lines[{i}].{field}");
        let expires_on = date(&named("expires_on"), &row.expires_on, &mut errors);
        lines.push(MovementLineInput {
            item_id: number(&named("item_id"), &row.item_id, &mut errors),
            quantity: number(&named("quantity"), &row.quantity, &mut errors),
            lot_id: None,
            lot_number: Some(row.lot_number.clone()).filter(|v| !v.is_empty()),
            expires_on,
            counted_quantity: None,
            serials: Some(vec![row.serial.clone()]).filter(|_| !row.serial.is_empty()),
            order_line_id: number(&named("order_line_id"), &row.order_line_id, &mut errors),
            scan: Some(row.scan.clone()).filter(|v| !v.is_empty()),
        });
        filled.push(i);
    }
    let request = MovementInput {
        kind: MovementKind::Receipt,
        occurred_at: None,
        location_id,
        to_location_id: None,
        patient_id: None,
        reason: None,
        reference: fields.optional("reference"),
        note: None,
        lines,
    };
    errors.finish(|| Some((request, filled)))
}

/// The API names a request's line `lines[k]`; the form names it by its own row.
fn renumbered(mut problem: Refusal, filled: &[usize]) -> Refusal {
    renumber_lines(&mut problem.errors, filled);
    problem
}

/// A line as the receipt understood it: what a scan said, written into the fields.
fn filled_in(row: &Row, line: &ReceiptLine) -> Row {
    Row {
        scan: String::new(),
        item_id: line.item.0.to_string(),
        lot_number: line.lot_number.clone(),
        expires_on: line.expires_on.to_string(),
        quantity: line.quantity.get().to_string(),
        serial: line.serials.first().cloned().unwrap_or_default(),
        order_line_id: row.order_line_id.clone(),
        expected: row.expected.clone(),
    }
}

enum Outcome {
    Read(Vec<ReceiptLine>),
    Recorded(i64),
}

async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    let signed = signed(&req)?;
    let rows = rows_of(&fields);
    let order = fields.text("order").parse::<i64>().ok();
    let record = fields.text("action") == "record";
    let entered = |rows: Vec<Row>, notice, issues| Entered {
        order,
        location: fields.text("location_id").to_owned(),
        reference: fields.text("reference").to_owned(),
        rows,
        notice,
        issues,
    };
    let shown = |rows: &[Row]| {
        rows.iter()
            .map(|r| Row {
                scan: visible_code(&r.scan),
                ..r.clone()
            })
            .collect::<Vec<_>>()
    };
    let (request, filled) = match request_of(&fields, &rows) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let issues = Issues::from_refusal(errors.into());
            return render(&state, signed, entered(shown(&rows), None, issues), None).await;
        }
    };
    let now = clock::now();
    let policy = state.policy;
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let kept = filled.clone();
    let outcome = state
        .pool
        .run(move |c| {
            let codes = request.read_scans(now.date())?;
            let new = parse_movement(c, now, request, codes)?;
            if !record {
                return match new.request {
                    MovementRequest::Receipt { lines, .. } => Ok(Outcome::Read(lines)),
                    _ => Ok(Outcome::Read(Vec::new())),
                };
            }
            let movement = record_movement(c, &actor, now, policy, new)?;
            Ok::<_, Refusal>(Outcome::Recorded(movement.id.0))
        })
        .await;
    match outcome {
        Ok(Outcome::Recorded(id)) => Ok(see_other(&format!("/receive?movement={id}"))),
        Ok(Outcome::Read(lines)) => {
            let mut rows = rows;
            for (line, &row) in lines.iter().zip(&kept) {
                rows[row] = filled_in(&rows[row], line);
            }
            let notice = Some(fill(
                "{} ligne(s) lue(s) et vérifiée(s) : rien n'est encore enregistré. Contrôlez puis enregistrez la réception.",
                &[&lines.len()],
            ));
            render(&state, signed, entered(rows, notice, Issues::default()), None).await
        }
        Err(problem) => {
            let issues = Issues::from_refusal(renumbered(problem, &kept));
            render(&state, signed, entered(shown(&rows), None, issues), None).await
        }
    }
}
