//! `Idempotency-Key` on POST: the first request applied is applied once and its response stored
//! in the same transaction as its effects; a repeat with the same key and body gets that
//! response again, the same key with another body or path gets 409. A refused request (4xx)
//! stores nothing (see `service::run_once`).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::problem::{Problem, ProblemKind, CONTENT_TYPE};
use super::AppState;
use crate::clock;
use crate::db::DbConnection;
use crate::domain::token::Actor;
use crate::service::run_once::{run_once, IdempotencyClaim, Once, RunOnceError, StoredResponse};

pub const HEADER: &str = "idempotency-key";
pub const KEY_MAX: usize = 255;

/// A successful answer, ready to be sent or stored.
pub struct Reply {
    status: StatusCode,
    body: String,
    location: Option<String>,
    /// What to keep for replays when it must differ from what is sent (secrets).
    stored_body: Option<String>,
}

impl Reply {
    pub fn created(location: String, body: &impl Serialize) -> Result<Reply, Problem> {
        let body = serde_json::to_string(body).map_err(|e| Problem::internal(&e))?;
        Ok(Reply {
            status: StatusCode::CREATED,
            body,
            location: Some(location),
            stored_body: None,
        })
    }

    pub fn ok(body: &impl Serialize) -> Result<Reply, Problem> {
        let body = serde_json::to_string(body).map_err(|e| Problem::internal(&e))?;
        Ok(Reply {
            status: StatusCode::OK,
            body,
            location: None,
            stored_body: None,
        })
    }

    /// Sends this reply, but keeps `stored` for replays.
    pub fn storing(mut self, stored: Reply) -> Reply {
        self.stored_body = Some(stored.body);
        self
    }

    fn into_response(self, replayed: bool) -> HttpResponse {
        let content_type = if self.status.is_success() {
            "application/json"
        } else {
            CONTENT_TYPE
        };
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, content_type));
        if let Some(location) = self.location {
            response.insert_header((header::LOCATION, location));
        }
        if replayed {
            response.insert_header(("idempotent-replayed", "true"));
        }
        response.body(self.body)
    }
}

/// The canonical hash of a JSON body, kept on the request for `respond`.
struct BodyHash(String);

/// Called by the JSON extractor: hashes the body as parsed JSON (so key order and spacing do
/// not matter) when the request carries a key.
pub fn remember_body(req: &HttpRequest, bytes: &[u8]) {
    if req.headers().contains_key(HEADER) {
        let canonical = serde_json::from_slice::<serde_json::Value>(bytes)
            .map(|v| v.to_string())
            .unwrap_or_default();
        req.extensions_mut().insert(BodyHash(hex_sha256(canonical.as_bytes())));
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn claim_of(req: &HttpRequest, actor: &Actor) -> Result<Option<IdempotencyClaim>, Problem> {
    let mut values = req.headers().get_all(HEADER);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Problem::malformed("send one Idempotency-Key header, not several"));
    }
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= KEY_MAX && k.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            Problem::malformed(format!(
                "Idempotency-Key must be 1 to {KEY_MAX} visible ASCII characters"
            ))
        })?;
    let request_hash = req
        .extensions()
        .get::<BodyHash>()
        .map(|h| h.0.clone())
        .unwrap_or_else(|| hex_sha256(b""));
    // Keys belong to the token that sent them: two integrations cannot collide.
    let owner = match actor.token_id {
        Some(id) => format!("token:{id}"),
        None => format!("local:{}", actor.name),
    };
    Ok(Some(IdempotencyClaim {
        owner,
        key: key.to_owned(),
        method: req.method().to_string(),
        path: req.path().to_owned(),
        request_hash,
    }))
}

/// Runs `work` (a use-case and the rendering of its result) once per idempotency key.
pub async fn respond<F>(state: &AppState, req: &HttpRequest, actor: Actor, work: F) -> Result<HttpResponse, Problem>
where
    F: FnOnce(&mut DbConnection, &Actor) -> Result<Reply, Problem> + Send + 'static,
{
    let Some(claim) = claim_of(req, &actor)? else {
        let reply = state.pool.run(move |conn| work(conn, &actor)).await?;
        return Ok(reply.into_response(false));
    };
    let now = clock::now();
    let once = state
        .pool
        .run(move |conn| {
            run_once(conn, &claim, now, |conn| {
                let reply = work(conn, &actor)?;
                let kept = reply.stored_body.clone().unwrap_or_else(|| reply.body.clone());
                let stored = claim.stored(reply.status.as_u16(), kept, reply.location.clone());
                Ok::<_, Problem>((reply, stored))
            })
            .map(|once| (once, claim))
        })
        .await;
    match once {
        Ok((Once::Applied(reply), _)) => Ok(reply.into_response(false)),
        Ok((Once::Replay(stored), claim)) => replay(&claim, stored),
        Err(RunOnceError::Work(problem)) => Err(problem),
        Err(RunOnceError::Storage(e)) => Err(e.into()),
        Err(RunOnceError::InProgress) => Err(Problem::new(
            ProblemKind::IdempotencyKeyReused,
            "a request with this Idempotency-Key is in progress",
        )),
    }
}

/// The stored response, if it answered this same request.
fn replay(claim: &IdempotencyClaim, stored: StoredResponse) -> Result<HttpResponse, Problem> {
    if !claim.matches(&stored) {
        return Err(Problem::new(
            ProblemKind::IdempotencyKeyReused,
            "this Idempotency-Key was used for another request; use a new key for a new request",
        ));
    }
    let reply = Reply {
        status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
        body: stored.body,
        location: stored.location,
        stored_body: None,
    };
    Ok(reply.into_response(true))
}
