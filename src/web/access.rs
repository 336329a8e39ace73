//! Who may use a page, declared with the page in one table (`super::pages`) and enforced from
//! it: a page to read needs a live session and a role; a page that writes also needs the
//! session's anti-forgery token in its form. The guard puts the signed-in user on the request,
//! where the handler finds it (`signed`); the access test reads the same table.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, Handler, HttpMessage, HttpRequest, Responder, Route};

use std::time::Duration;

use actix_web::http::{header, StatusCode};
use sha2::{Digest, Sha256};

use super::problem::PageProblem;
use crate::clock;
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::service::run_once::IdempotencyClaim;
use crate::service::submit_form::{claim_form, settle_form, FormClaim};
use crate::state::AppState;

/// Who may use a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Signed in or not (sign-in, the script, the language links).
    Anyone,
    /// Signed in with this role or a larger one.
    Read(Role),
    /// Signed in with this role or a larger one, and the form carries the session's
    /// anti-forgery token (whatever its Origin header says, or lacks).
    Write(Role),
}

/// The accesses the page table names.
pub mod consts {
    use super::Access;
    use crate::domain::role::Role;

    pub const ANYONE: Access = Access::Anyone;
    /// Every signed-in user reads.
    pub const READ: Access = Access::Read(Role::Viewer);
    pub const ADMIN_READ: Access = Access::Read(Role::Admin);
    /// A write any signed-in user makes for themself (their password, signing out).
    pub const SIGNED_IN_WRITE: Access = Access::Write(Role::Viewer);
    pub const PHARMACIST: Access = Access::Write(Role::Pharmacist);
    pub const ADMIN: Access = Access::Write(Role::Admin);
}

/// One page route: method, path, who may use it, and the route itself.
pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub(super) route: Route,
}

pub(super) fn route<F, Args>(method: Method, path: &'static str, access: Access, handler: F) -> PageRoute
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: Responder + 'static,
{
    // The guard runs inside the page's language and problem scope (`super::as_page`).
    let guarded =
        web::method(method.clone())
            .to(handler)
            .wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
                guard(access, req, next)
            }));
    PageRoute {
        method,
        path,
        access,
        route: super::as_page(guarded),
    }
}

/// The signed-in user and the session's anti-forgery token, as the guard found them.
#[derive(Clone)]
pub struct Signed(pub User, pub String);

/// The signed-in user of a guarded page (its route's guard put them there).
pub fn signed(req: &HttpRequest) -> Result<(User, String), PageProblem> {
    req.extensions()
        .get::<Signed>()
        .map(|s| (s.0.clone(), s.1.clone()))
        .ok_or_else(|| PageProblem::internal(&"a page read its user without a guard"))
}

async fn guard(
    access: Access,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let least = match access {
        Access::Anyone => return next.call(req).await,
        Access::Read(role) | Access::Write(role) => role,
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(PageProblem::internal(&"no application state")));
    };
    let session = match super::signed_in(&state, req.request()).await {
        Ok(session) => session,
        Err(problem) => return Ok(req.error_response(problem)),
    };
    let Some((user, csrf)) = session else {
        return Ok(req.into_response(super::see_other("/login")));
    };
    if let Access::Write(_) = access {
        // The form is read here, and handed on to the handler as it came.
        let body = match req.extract::<web::Bytes>().await {
            Ok(body) => body,
            Err(error) => return Ok(req.error_response(error)),
        };
        let presented = form_value(&body, "csrf_token").unwrap_or_default();
        let claim = form_value(&body, "once").map(|once| form_claim(&user, req.path(), &once, &body));
        req.set_payload(actix_web::dev::Payload::from(body));
        if super::forged(&presented, &csrf) {
            return Ok(req.into_response(super::forbidden_write()));
        }
        if !user.role.includes(least) {
            return Ok(req.into_response(super::not_allowed(user.role)));
        }
        req.extensions_mut().insert(Signed(user, csrf));
        return match claim {
            Some(claim) => once(&state, claim, req, next).await,
            None => next.call(req).await,
        };
    }
    if !user.role.includes(least) {
        return Ok(req.into_response(super::not_allowed(user.role)));
    }
    req.extensions_mut().insert(Signed(user, csrf));
    next.call(req).await
}

/// How long a repeat waits for the first post of its form to finish.
const REPEAT_WAIT: Duration = Duration::from_secs(10);

/// The form's post, once: a repeat of a form already recorded is sent where the first was.
async fn once(
    state: &AppState,
    claim: IdempotencyClaim,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    loop {
        let shared = claim.clone();
        let now = clock::now();
        let claimed = state.pool.run(move |c| claim_form(c, &shared, now)).await;
        match claimed {
            Err(e) => return Ok(req.error_response(PageProblem::from(e))),
            Ok(FormClaim::Fresh) => break,
            Ok(FormClaim::Done(location)) => {
                let to = location.unwrap_or_else(|| "/".to_owned());
                return Ok(req.into_response(super::see_other(&to)));
            }
            Ok(FormClaim::Pending) if started.elapsed() < REPEAT_WAIT => {
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            }
            Ok(FormClaim::Pending) => return Ok(req.into_response(super::still_recording())),
        }
    }
    let response = next.call(req).await?;
    let redirect = (response.status() == StatusCode::SEE_OTHER)
        .then(|| {
            response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .flatten();
    if let Err(error) = state.pool.run(move |c| settle_form(c, &claim, redirect)).await {
        // What was recorded stays recorded; a repeat of this form then waits, then is refused.
        tracing::warn!(%error, "a form's once-token could not be settled");
    }
    Ok(response)
}

/// A form's claim: its user, its page render's token, and what it posted.
fn form_claim(user: &User, path: &str, once: &str, body: &[u8]) -> IdempotencyClaim {
    let hash: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
    IdempotencyClaim {
        owner: format!("web:user:{}", user.id),
        key: format!("form:{once}:{}", &hash[..32]),
        method: "POST".into(),
        path: path.to_owned(),
        request_hash: hash,
    }
}

/// A field of an urlencoded form, as sent: tokens are URL-safe, so they arrive unencoded (one
/// that does not is not the token).
pub(super) fn form_value(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::form_value;

    #[test]
    fn a_token_is_read_from_the_form_as_sent() {
        let body = b"location_id=3&csrf_token=abc-_9&once=x";
        assert_eq!(form_value(body, "csrf_token").as_deref(), Some("abc-_9"));
        assert_eq!(form_value(body, "once").as_deref(), Some("x"));
        assert_eq!(form_value(body, "absent"), None);
        assert_eq!(form_value(b"\xff", "csrf_token"), None);
    }
}
