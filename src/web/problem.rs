//! What a page could not do, outside a form (a patient that does not exist, the database
//! away): shown as a page in the reader's language, never as the API's JSON. Causes are
//! logged, never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::db::StorageError;
use crate::service::read_catalog::ReadError;
use crate::service::refusal::{ProblemKind, Refusal};

#[derive(Debug)]
pub struct PageProblem {
    pub status: StatusCode,
    /// French text, looked up in the reader's language when the page is drawn.
    pub title: &'static str,
    pub detail: &'static str,
}

impl PageProblem {
    pub fn not_found() -> PageProblem {
        PageProblem {
            status: StatusCode::NOT_FOUND,
            title: "Introuvable",
            detail: "Ce que cette page montre n'existe pas (ou plus).",
        }
    }
}

impl PageProblem {
    fn unavailable() -> PageProblem {
        PageProblem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            title: "Service indisponible",
            detail: "La base de données ne répond pas : réessayez dans un instant.",
        }
    }

    /// Logs the cause; the reader learns only that it failed.
    pub(super) fn internal(cause: &dyn std::fmt::Display) -> PageProblem {
        tracing::error!(error = %cause, "a page failed");
        PageProblem {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Erreur interne",
            detail: "Une erreur interne est survenue ; elle est consignée dans le journal du service.",
        }
    }
}

impl std::fmt::Display for PageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.title, self.status)
    }
}

/// The page itself is drawn by the pages' middleware, which knows the reader's language.
impl ResponseError for PageProblem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).finish()
    }
}

impl From<StorageError> for PageProblem {
    fn from(error: StorageError) -> PageProblem {
        match error {
            StorageError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                PageProblem::unavailable()
            }
            StorageError::Query(cause) => PageProblem::internal(&cause),
            StorageError::Invariant(cause) => PageProblem::internal(&cause),
        }
    }
}

/// A refusal that reaches a page outside its form.
impl From<Refusal> for PageProblem {
    fn from(refusal: Refusal) -> PageProblem {
        match refusal.kind {
            ProblemKind::NotFound => PageProblem::not_found(),
            ProblemKind::Unavailable => PageProblem::unavailable(),
            ProblemKind::Internal => PageProblem {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                ..PageProblem::internal(&refusal.detail)
            },
            kind => PageProblem {
                status: StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::CONFLICT),
                title: "Requête refusée",
                detail: "Le service a refusé cette action : rien n'a été modifié.",
            },
        }
    }
}

impl From<ReadError> for PageProblem {
    fn from(error: ReadError) -> PageProblem {
        match error {
            ReadError::NotFound => PageProblem::not_found(),
            ReadError::Storage(e) => e.into(),
        }
    }
}
