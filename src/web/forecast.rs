//! Forecast: per item, the projected stock over the next 90 days (an SVG drawn here, no script)
//! with the refills, arrivals and expiries marked; the suggestion with its working; and the
//! suggestion turned into an order for the item's supplier.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{Fields, Issues};
use super::i18n::{fill, filters, t};
use super::problem::PageProblem;
use super::{chrome, date_text, html, number_text, see_other, Chrome, Names, VERSION};
use crate::clock;
use crate::domain::forecast::{refills_per_day, DEFAULT_HORIZON_DAYS};
use crate::domain::ids::{ItemId, SupplierId};
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::validation::FieldErrors;
use crate::service::forecast::{forecast, ItemForecast};
use crate::service::order_suggestions::{order_suggestions, SuggestedOrder};
use crate::service::refusal::Refusal;
use crate::state::AppState;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/forecast", READ, show),
        route(M::POST, "/forecast/order", PHARMACIST, order),
    ]
}

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 16.0;

/// The chart's pieces, in SVG user units.
struct Chart {
    /// The polyline of usable stock at the end of each day.
    line: String,
    max_label: String,
    first_day: String,
    last_day: String,
    refills: Vec<Mark>,
    arrivals: Vec<Mark>,
    expiries: Vec<Mark>,
    stockout: Option<Mark>,
}

struct Mark {
    x: String,
    label: String,
}

fn chart(found: &ItemForecast) -> Chart {
    let series = &found.projection.series;
    let top = series.iter().map(|d| d.available).fold(1.0_f64, f64::max).ceil();
    let days = series.len().max(2) as f64 - 1.0;
    let x = |i: usize| LEFT + (WIDTH - LEFT - 8.0) * i as f64 / days;
    let y = |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - v.max(0.0) / top);
    let inputs = &found.basis.inputs;
    let per_day = refills_per_day(&inputs.roster, inputs.today, inputs.horizon_days);
    let mark = |i: usize, label: String| Mark {
        x: format!("{:.1}", x(i)),
        label,
    };
    Chart {
        line: series
            .iter()
            .enumerate()
            .map(|(i, d)| format!("{:.1},{:.1}", x(i), y(d.available)))
            .collect::<Vec<_>>()
            .join(" "),
        max_label: number_text(top as i64),
        first_day: series.first().map(|d| date_text(d.date)).unwrap_or_default(),
        last_day: series.last().map(|d| date_text(d.date)).unwrap_or_default(),
        refills: series
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let n = per_day.get(i).copied().unwrap_or(0);
                (n > 0).then(|| mark(i, fill("{} : {} recharge(s)", &[&date_text(d.date), &n])))
            })
            .collect(),
        arrivals: series
            .iter()
            .enumerate()
            .filter(|(_, d)| d.arriving > 0.0)
            .map(|(i, d)| mark(i, fill("{} : arrivée de {}", &[&date_text(d.date), &d.arriving])))
            .collect(),
        expiries: series
            .iter()
            .enumerate()
            .filter(|(_, d)| d.expiring > 0.0)
            .map(|(i, d)| {
                mark(
                    i,
                    fill("{} : {} unité(s) périment", &[&date_text(d.date), &d.expiring.round()]),
                )
            })
            .collect(),
        stockout: found.projection.stockout_on.and_then(|on| {
            let i = series.iter().position(|d| d.date == on)?;
            Some(mark(i, fill("rupture prévue le {}", &[&date_text(on)])))
        }),
    }
}

/// The suggestion and every figure that went into it.
struct Working {
    quantity: String,
    order_by: String,
    expected_on: String,
    lines: Vec<(&'static str, String)>,
}

fn working(found: &ItemForecast) -> Option<Working> {
    let s = found.suggestion.as_ref()?;
    let w = &s.working;
    let units = super::i18n::decimal;
    let o = &found.basis.ordering;
    let mut lines = vec![
        (
            t("Période couverte (délai + revue + sécurité)"),
            fill(
                "{} j = {} + {} + {}",
                &[&w.period_days, &o.lead_time_days, &o.review_days, &o.safety_days],
            ),
        ),
        (
            t("Demande sur la période (recharges et autres usages)"),
            units(w.demand),
        ),
        (t("Marge pour les usages imprévus"), units(w.unscheduled_margin)),
        (t("Stock utilisable sur la période"), units(w.usable)),
        (t("Déjà en commande"), units(w.on_order)),
        (t("Demande non servie avant la prochaine arrivée"), units(w.unmet)),
        (t("Besoin avant arrondi"), units(w.needed)),
        (
            t("Conditionnement"),
            fill("{} boîte(s) de {}", &[&w.packs, &o.pack_size]),
        ),
    ];
    if let Some(limit) = w.shelf_life_demand {
        lines.push((t("Limité à la demande d'une durée de vie"), units(limit)));
    }
    Some(Working {
        quantity: number_text(i64::from(s.quantity)),
        order_by: date_text(s.order_by),
        expected_on: date_text(s.expected_on),
        lines,
    })
}

#[derive(Template)]
#[template(path = "forecast.html", config = "src/web/askama.toml")]
struct ForecastPage {
    version: &'static str,
    chrome: Chrome,
    items: Vec<(i64, String)>,
    item_id: i64,
    item: String,
    supplier_id: Option<i64>,
    available: String,
    on_order: String,
    refills: u32,
    cover: String,
    stockout: String,
    chart: Option<Chart>,
    suggestion: Option<Working>,
    notice: Option<(i64, String)>,
    may_write: bool,
    issues: Issues,
    width: f64,
    height: f64,
    left: f64,
    bottom: f64,
    top: f64,
}

#[derive(Deserialize)]
struct ForecastQuery {
    item: Option<i64>,
    order: Option<i64>,
}

async fn render(
    state: &AppState,
    (user, csrf): (User, String),
    item: Option<i64>,
    issues: Issues,
    placed: Option<i64>,
) -> Result<HttpResponse, PageProblem> {
    let today = clock::today();
    let policy = state.policy.forecast;
    let (names, found) = state
        .pool
        .run(move |c| {
            let names = Names::read(c)?;
            let chosen = item
                .map(ItemId)
                .filter(|id| names.items.iter().any(|i| i.id == *id && i.active))
                .or_else(|| names.items.iter().find(|i| i.active).map(|i| i.id));
            let found = match chosen {
                Some(id) => forecast(c, today, DEFAULT_HORIZON_DAYS, Some(id), policy)?
                    .into_iter()
                    .next(),
                None => None,
            };
            Ok::<_, Refusal>((names, found))
        })
        .await?;
    let Some(found) = found else {
        return Err(PageProblem::not_found());
    };
    let item = names.items.iter().find(|i| i.id == found.item_id);
    let page = ForecastPage {
        version: VERSION,
        may_write: user.role.includes(Role::Pharmacist),
        chrome: chrome("forecast", &user, csrf),
        items: names.item_options(),
        item_id: found.item_id.0,
        item: names.item(found.item_id),
        supplier_id: item.and_then(|i| i.ordering.supplier_id).map(|s| s.0),
        available: number_text(found.available),
        on_order: number_text(found.on_order),
        refills: found.refills,
        cover: found
            .projection
            .days_of_cover
            .map_or_else(|| t("> 90 j").to_owned(), |d| fill("{} j", &[&number_text(d)])),
        stockout: found
            .projection
            .stockout_on
            .map_or_else(|| t("aucune sur 90 jours").to_owned(), date_text),
        chart: Some(chart(&found)),
        suggestion: working(&found),
        notice: placed.map(|id| (id, fill("Commande n° {} passée au fournisseur.", &[&id]))),
        issues,
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        bottom: BOTTOM,
        top: TOP,
    };
    Ok(html(page.issues.status(), &page))
}

async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ForecastQuery>,
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    render(&state, signed, query.item, Issues::default(), query.order).await
}

/// The suggestion for this item, ordered from its supplier (the API's `order-suggestions`).
async fn order(
    state: web::Data<AppState>,
    req: HttpRequest,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    let signed = signed(&req)?;
    let mut errors = FieldErrors::default();
    let item = fields.number("item_id", &mut errors);
    let supplier = fields.number("supplier_id", &mut errors);
    if supplier.is_none() {
        errors.push(crate::domain::validation::FieldError::new(
            "supplier_id",
            "is required: set the item's supplier first (Réglages)",
        ));
    }
    let request = match errors.finish(|| {
        Some(SuggestedOrder {
            supplier_id: SupplierId(supplier?),
            items: Some(vec![ItemId(item?)]),
            reference: fields.optional("reference"),
        })
    }) {
        Ok(request) => request,
        Err(errors) => return render(&state, signed, item, Issues::from_refusal(errors.into()), None).await,
    };
    let now = clock::now();
    let policy = state.policy.forecast;
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let placed = state
        .pool
        .run(move |c| Ok::<_, Refusal>(order_suggestions(c, &actor, now, policy, request)?))
        .await;
    match placed {
        Ok(order) => Ok(see_other(&format!(
            "/forecast?item={}&order={}",
            item.unwrap_or(0),
            order.id
        ))),
        Err(problem) => render(&state, signed, item, Issues::from_refusal(problem), None).await,
    }
}
