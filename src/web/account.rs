//! One's own account: who is signed in, and a new password (the current one first). The other
//! sessions of the account end; this one stays.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::access::consts::*;
use super::access::{route, signed, PageRoute};
use super::forms::{Fields, Issues};
use super::i18n::{filters, t};
use super::problem::PageProblem;
use super::{chrome, html, role_fr, see_other, Chrome, SESSION_COOKIE, VERSION};
use crate::clock;
use crate::domain::user::{Password, User};
use crate::domain::validation::{FieldError, FieldErrors};
use crate::service::change_password::{change_password, ChangePasswordError};
use crate::state::AppState;

pub(super) fn routes() -> Vec<PageRoute> {
    use actix_web::http::Method as M;
    vec![
        route(M::GET, "/account", READ, show),
        route(M::POST, "/account/password", SIGNED_IN_WRITE, change),
    ]
}

#[derive(Template)]
#[template(path = "account.html", config = "src/web/askama.toml")]
struct AccountPage {
    version: &'static str,
    chrome: Chrome,
    username: String,
    display_name: String,
    role: &'static str,
    saved: bool,
    issues: Issues,
}

fn render((user, csrf): (User, String), saved: bool, issues: Issues) -> HttpResponse {
    let page = AccountPage {
        version: VERSION,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: role_fr(user.role),
        chrome: chrome("account", &user, csrf),
        saved,
        issues,
    };
    html(page.issues.status(), &page)
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<u8>,
}

async fn show(req: HttpRequest, saved: web::Query<Saved>) -> Result<HttpResponse, PageProblem> {
    let signed = signed(&req)?;
    Ok(render(signed, saved.saved.is_some(), Issues::default()))
}

async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageProblem> {
    let fields = Fields(fields.into_inner());
    // Everyone may change their own password, a viewer too.
    let signed = signed(&req)?;
    let mut errors = FieldErrors::default();
    let new = errors.check(Password::new("new_password", fields.raw("new_password")));
    if fields.raw("new_password") != fields.raw("confirm_password") {
        errors.push(FieldError::new(
            "confirm_password",
            t("doit être identique au nouveau mot de passe"),
        ));
    }
    let new = match errors.finish(|| new) {
        Ok(new) => new,
        Err(errors) => return Ok(render(signed, false, Issues::from_refusal(errors.into()))),
    };
    let current = Password::presented(fields.raw("current_password"));
    let secret = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let user = signed.0.clone();
    let now = clock::now();
    let _turn = state.password_checks.acquire().await.ok();
    let changed = state
        .pool
        .run(move |c| Ok::<_, PageProblem>(change_password(c, now, &user, &secret, &current, &new)))
        .await?;
    let refused = |field: &str, message: String, status: StatusCode| Issues {
        status: Some(status),
        summary: Some(message.clone()),
        fields: vec![FieldError::new(field, message)],
    };
    match changed {
        Ok(()) => Ok(see_other("/account?saved=1")),
        Err(ChangePasswordError::WrongPassword) => Ok(render(
            signed,
            false,
            refused(
                "current_password",
                t("Mot de passe actuel incorrect.").to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        )),
        Err(ChangePasswordError::Locked(until)) => Ok(render(
            signed,
            false,
            refused(
                "current_password",
                super::i18n::fill(
                    "Trop d'essais infructueux : compte bloqué jusqu'à {}.",
                    &[&super::i18n::hour_text(until)],
                ),
                StatusCode::TOO_MANY_REQUESTS,
            ),
        )),
        Err(ChangePasswordError::Storage(e)) => Err(e.into()),
    }
}
