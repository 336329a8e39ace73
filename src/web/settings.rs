//! Settings (admins): reorder thresholds, suppliers, the people who sign in, and the API tokens
//! of the integrations — each form through the API's own request checks and use-case.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{Fields, Issues};
use super::i18n::{filters, t};
use super::problem::PageProblem;
use super::{chrome, date_text, html, number_text, role_fr, see_other, Chrome, Names, VERSION};
use crate::clock;
use crate::db::DbConnection;
use crate::domain::alert::NewThreshold;
use crate::domain::catalog::Named;
use crate::domain::ids::{TokenId, UserId};
use crate::domain::page::read_all;
use crate::domain::role::Role;
use crate::domain::supply::NewSupplier;
use crate::domain::text;
use crate::domain::token::{Actor, NAME_MAX};
use crate::domain::user::{NewUser, User, UserChanges};
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::create_supplier::create_supplier;
use crate::service::create_user::create_user;
use crate::service::input::supplier::SupplierInput;
use crate::service::input::threshold::ThresholdInput;
use crate::service::input::user::{UserChangesInput, UserInput};
use crate::service::issue_token::issue_token;
use crate::service::read_catalog::{list_tokens, list_users};
use crate::service::read_ledger::list_thresholds;
use crate::service::read_supply::list_suppliers;
use crate::service::refusal::{ProblemKind, Refusal};
use crate::service::revoke_token::revoke_token;
use crate::service::set_threshold::set_threshold;
use crate::service::update_user::update_user;
use crate::state::AppState;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/settings", ADMIN_READ, show),
        route(M::POST, "/settings/{section}", ADMIN, change),
        route(M::POST, "/settings/{section}/{id}", ADMIN, change_one),
    ]
}

struct ThresholdRow {
    item: String,
    location: String,
    reorder_point: String,
    reorder_quantity: String,
}

struct SupplierRow {
    code: String,
    name: String,
    lead_time_days: u32,
    email: String,
}

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    active: bool,
}

struct TokenRow {
    id: i64,
    name: String,
    role: &'static str,
    created: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "settings.html", config = "src/web/askama.toml")]
struct SettingsPage {
    version: &'static str,
    chrome: Chrome,
    items: Vec<(i64, String)>,
    locations: Vec<(i64, String)>,
    roles: Vec<(&'static str, &'static str)>,
    thresholds: Vec<ThresholdRow>,
    suppliers: Vec<SupplierRow>,
    users: Vec<UserRow>,
    tokens: Vec<TokenRow>,
    /// The section a refused form came from, and what was typed there.
    failed: &'static str,
    typed: Fields,
    notice: Option<String>,
    /// A token's secret, shown this once.
    secret: Option<String>,
    issues: Issues,
}

impl SettingsPage {
    /// The message about `field`, when the refused form was `section`'s.
    fn issue(&self, section: &str, field: &str) -> Option<&str> {
        (self.failed == section).then(|| self.issues.at(field)).flatten()
    }
}

/// What a change leaves on the page.
#[derive(Default)]
struct Outcome {
    failed: &'static str,
    typed: Option<Fields>,
    notice: Option<String>,
    secret: Option<String>,
    issues: Issues,
}

type Lists = (
    Names,
    Vec<crate::domain::alert::Threshold>,
    Vec<crate::domain::supply::Supplier>,
    Vec<User>,
    Vec<crate::domain::token::TokenInfo>,
);

fn lists(c: &mut DbConnection) -> Result<Lists, Refusal> {
    Ok((
        Names::read(c)?,
        read_all(|page| list_thresholds(c, page))?,
        read_all(|page| list_suppliers(c, None, page))?,
        read_all(|page| list_users(c, page))?,
        read_all(|page| list_tokens(c, page))?,
    ))
}

async fn render(state: &AppState, (user, csrf): (User, String), outcome: Outcome) -> Result<HttpResponse, PageProblem> {
    let (names, thresholds, suppliers, users, tokens) = state.pool.run(lists).await?;
    let page = SettingsPage {
        version: VERSION,
        chrome: chrome("settings", &user, csrf),
        items: names.item_options(),
        locations: names.location_options(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), role_fr(*r))).collect(),
        thresholds: thresholds
            .iter()
            .map(|threshold| ThresholdRow {
                item: names.item(threshold.item_id),
                location: threshold
                    .location_id
                    .map_or_else(|| t("tous emplacements").to_owned(), |l| names.location(l)),
                reorder_point: number_text(threshold.reorder_point),
                reorder_quantity: number_text(threshold.reorder_quantity),
            })
            .collect(),
        suppliers: suppliers
            .into_iter()
            .map(|s| SupplierRow {
                code: s.code,
                name: s.name,
                lead_time_days: s.lead_time_days,
                email: s.email.unwrap_or_default(),
            })
            .collect(),
        users: users
            .into_iter()
            .map(|u| UserRow {
                id: u.id.0,
                username: u.username,
                display_name: u.display_name,
                role: role_fr(u.role),
                active: u.active,
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id.0,
                name: t.name,
                role: role_fr(t.role),
                created: date_text(super::i18n::local(t.created_at).date()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        failed: outcome.failed,
        typed: outcome.typed.unwrap_or(Fields(Vec::new())),
        notice: outcome.notice,
        secret: outcome.secret,
        issues: outcome.issues,
    };
    Ok(html(page.issues.status(), &page))
}

#[derive(serde::Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    saved: web::Query<Saved>,
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    let outcome = Outcome {
        notice: saved.saved.as_deref().map(|s| saved_fr(s).to_owned()),
        ..Outcome::default()
    };
    render(&state, signed, outcome).await
}

fn role(fields: &Fields, errors: &mut FieldErrors) -> Option<Role> {
    let parsed = Role::parse(fields.text("role"));
    if parsed.is_none() {
        errors.push(FieldError::new("role", Role::expected()));
    }
    parsed
}

/// One settings write: parsed as the API parses it, then its use-case; what the page says after.
enum Change {
    Threshold(NewThreshold),
    Supplier(NewSupplier),
    User(NewUser),
    Token(String, Role),
    UserActive(UserId, UserChanges),
    Revoke(TokenId),
}

fn parse_new(section: &str, fields: &Fields) -> Result<Change, Refusal> {
    let mut errors = FieldErrors::default();
    match section {
        "thresholds" => {
            let item = fields.required_number("item_id", &mut errors);
            let location_id = fields.number("location_id", &mut errors);
            let point = fields.required_number("reorder_point", &mut errors);
            let quantity = fields.required_number("reorder_quantity", &mut errors);
            let request = errors.finish(|| {
                Some(ThresholdInput {
                    item_id: item?,
                    location_id,
                    reorder_point: point?,
                    reorder_quantity: quantity?,
                    lead_time_days: None,
                })
            })?;
            Ok(Change::Threshold(NewThreshold::try_from(request)?))
        }
        "suppliers" => {
            let lead_time_days = fields.number("lead_time_days", &mut errors);
            let request = errors.finish(|| {
                Some(SupplierInput {
                    code: fields.text("code").to_owned(),
                    name: fields.text("name").to_owned(),
                    lead_time_days,
                    email: fields.optional("email"),
                    active: None,
                })
            })?;
            Ok(Change::Supplier(NewSupplier::try_from(request)?))
        }
        "users" => {
            let role = role(fields, &mut errors);
            let request = errors.finish(|| {
                Some(UserInput {
                    username: fields.text("username").to_owned(),
                    display_name: fields.optional("display_name"),
                    role: role?,
                    // Passwords are taken as typed: spaces are theirs.
                    password: fields.raw("password").to_owned(),
                })
            })?;
            Ok(Change::User(NewUser::try_from(request)?))
        }
        "tokens" => {
            let role = role(fields, &mut errors);
            let name = errors.check(text::required_text("name", fields.text("name"), NAME_MAX));
            Ok(errors.finish(|| Some(Change::Token(name?, role?)))?)
        }
        _ => Err(Refusal::not_found("no such settings section")),
    }
}

fn parse_one(section: &str, id: i64, fields: &Fields) -> Result<Change, Refusal> {
    match section {
        "users" => {
            let request = UserChangesInput {
                display_name: None,
                role: None,
                active: Some(fields.text("active") == "true"),
                password: None,
            };
            Ok(Change::UserActive(UserId(id), UserChanges::try_from(request)?))
        }
        "tokens" => Ok(Change::Revoke(TokenId(id))),
        _ => Err(Refusal::not_found("no such settings section")),
    }
}

/// Applies the change; a token's secret when one was issued (shown this once).
fn apply(c: &mut DbConnection, actor: &Actor, state: &AppState, change: Change) -> Result<Option<String>, Refusal> {
    let now = clock::now();
    match change {
        Change::Threshold(new) => {
            set_threshold(c, actor, now, state.policy.forecast, new)?;
        }
        Change::Supplier(new) => {
            create_supplier(c, actor, now, new)?;
        }
        Change::User(new) => {
            create_user(c, actor, now, new)?;
        }
        Change::UserActive(id, changes) => {
            update_user(c, actor, now, id, changes)?;
        }
        Change::Token(name, role) => {
            return Ok(Some(
                issue_token(c, actor, now, &name, role)?.secret.expose().to_owned(),
            ));
        }
        Change::Revoke(id) => {
            revoke_token(c, actor, now, id)?;
        }
    }
    Ok(None)
}

fn saved_fr(section: &str) -> &'static str {
    match section {
        "thresholds" => t("Seuil enregistré ; les alertes sont réévaluées."),
        "suppliers" => t("Fournisseur enregistré."),
        "users" => t("Compte enregistré."),
        _ => t("Jeton révoqué : il ne donne plus accès à l'API."),
    }
}

fn section_name(section: &str) -> &'static str {
    match section {
        "thresholds" => "thresholds",
        "suppliers" => "suppliers",
        "users" => "users",
        _ => "tokens",
    }
}

async fn perform(
    state: web::Data<AppState>,
    req: HttpRequest,
    section: String,
    fields: Fields,
    parse: impl FnOnce(&Fields) -> Result<Change, Refusal>,
) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    let refused = |problem: Refusal, fields: Fields| Outcome {
        failed: section_name(&section),
        // Never typed back into the page.
        typed: Some(Fields(fields.0.into_iter().filter(|(k, _)| k != "password").collect())),
        issues: Issues::from_refusal(problem),
        ..Outcome::default()
    };
    let change = match parse(&fields) {
        Ok(change) => change,
        Err(problem) if problem.kind == ProblemKind::NotFound => return Err(problem.into()),
        Err(problem) => return render(&state, signed, refused(problem, fields)).await,
    };
    let actor = crate::service::sign_in::actor_of(&signed.0);
    let shared = state.clone();
    let done = state.pool.run(move |c| apply(c, &actor, &shared, change)).await;
    match done {
        Ok(None) => Ok(see_other(&format!("/settings?saved={}", section_name(&section)))),
        Ok(Some(secret)) => {
            let issued = Outcome {
                notice: Some(t("Jeton émis : copiez-le maintenant, il ne sera plus affiché.").to_owned()),
                secret: Some(secret),
                ..Outcome::default()
            };
            render(&state, signed, issued).await
        }
        Err(problem) => render(&state, signed, refused(problem, fields)).await,
    }
}

async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    section: web::Path<String>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let section = section.into_inner();
    let kind = section.clone();
    perform(state, req, section, Fields(fields.into_inner()), move |f| {
        parse_new(&kind, f)
    })
    .await
}

async fn change_one(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let (section, id) = path.into_inner();
    let kind = section.clone();
    perform(state, req, section, Fields(fields.into_inner()), move |f| {
        parse_one(&kind, id, f)
    })
    .await
}
