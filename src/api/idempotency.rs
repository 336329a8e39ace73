//! `Idempotency-Key` on POST: the first request is applied once and its response stored in the
//! same transaction as its effects; a repeat with the same key and body gets that response
//! again, the same key with another body or path gets 409.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::problem::{Problem, ProblemKind, CONTENT_TYPE};
use super::AppState;
use crate::db::{write_tx, DbConnection};
use crate::domain::token::Actor;
use crate::repo::idempotency::{self as store, StoredResponse};

pub const HEADER: &str = "idempotency-key";
const KEY_MAX: usize = 255;

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

struct Claim {
    owner: String,
    key: String,
    method: String,
    path: String,
    request_hash: String,
}

impl Claim {
    fn stored(&self, status: StatusCode, body: String, location: Option<String>) -> StoredResponse {
        StoredResponse {
            method: self.method.clone(),
            path: self.path.clone(),
            request_hash: self.request_hash.clone(),
            status: status.as_u16(),
            body,
            location,
        }
    }

    /// The stored response, if it answered this same request.
    fn replay(&self, stored: StoredResponse) -> Result<(Reply, bool), Problem> {
        if stored.method != self.method || stored.path != self.path || stored.request_hash != self.request_hash {
            return Err(Problem::new(
                ProblemKind::IdempotencyKeyReused,
                "this Idempotency-Key was used for another request; use a new key for a new request",
            ));
        }
        let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
        Ok((
            Reply {
                status,
                body: stored.body,
                location: stored.location,
                stored_body: None,
            },
            true,
        ))
    }
}

fn claim_of(req: &HttpRequest, actor: &Actor) -> Result<Option<Claim>, Problem> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
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
    Ok(Some(Claim {
        owner,
        key: key.to_owned(),
        method: req.method().to_string(),
        path: req.path().to_owned(),
        request_hash,
    }))
}

enum Outcome {
    Done(Reply),
    Replay(StoredResponse),
}

enum Failure {
    Problem(Problem),
    /// Another request with this key committed first (PostgreSQL): read its answer.
    Raced,
}

impl From<diesel::result::Error> for Failure {
    fn from(error: diesel::result::Error) -> Failure {
        Failure::Problem(error.into())
    }
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
    let (reply, replayed) = state.pool.run(move |conn| run_once(conn, &claim, &actor, work)).await?;
    Ok(reply.into_response(replayed))
}

/// The reply and whether it is a replay.
fn run_once<F>(conn: &mut DbConnection, claim: &Claim, actor: &Actor, work: F) -> Result<(Reply, bool), Problem>
where
    F: FnOnce(&mut DbConnection, &Actor) -> Result<Reply, Problem>,
{
    let outcome = write_tx(conn, |conn| {
        if let Some(stored) = store::find(conn, &claim.owner, &claim.key)? {
            return Ok(Outcome::Replay(stored));
        }
        // Claim the key first: a concurrent repeat waits on this row until we commit.
        let placeholder = claim.stored(StatusCode::ACCEPTED, String::new(), None);
        if !store::insert(conn, &claim.owner, &claim.key, &placeholder)? {
            return Err(Failure::Raced);
        }
        let reply = work(conn, actor).map_err(Failure::Problem)?;
        let kept = reply.stored_body.clone().unwrap_or_else(|| reply.body.clone());
        let stored = claim.stored(reply.status, kept, reply.location.clone());
        store::complete(conn, &claim.owner, &claim.key, &stored)?;
        Ok(Outcome::Done(reply))
    });
    match outcome {
        Ok(Outcome::Done(reply)) => Ok((reply, false)),
        Ok(Outcome::Replay(stored)) => claim.replay(stored),
        Err(Failure::Raced) => match store::find(conn, &claim.owner, &claim.key)? {
            Some(stored) => claim.replay(stored),
            None => Err(Problem::new(
                ProblemKind::IdempotencyKeyReused,
                "a request with this Idempotency-Key is in progress",
            )),
        },
        Err(Failure::Problem(problem)) => {
            // Client errors are answers too: a repeat gets the same one. Server errors are not
            // stored, so a retry can still succeed.
            if problem.kind_status().is_client_error() {
                let body = serde_json::to_string(&problem).unwrap_or_default();
                let stored = claim.stored(problem.kind_status(), body, None);
                let _ = write_tx(conn, |conn| store::insert(conn, &claim.owner, &claim.key, &stored));
            }
            Err(problem)
        }
    }
}
