//! Each use-case error, mapped once to its problem document.

use super::problem::{Problem, ProblemKind};
use crate::service::authenticate::AuthenticateError;
use crate::service::create_item::CreateItemError;
use crate::service::create_location::CreateLocationError;
use crate::service::issue_token::IssueTokenError;
use crate::service::read_catalog::ReadError;
use crate::service::revoke_token::RevokeTokenError;
use crate::service::update_item::UpdateItemError;
use crate::service::update_location::UpdateLocationError;

impl From<CreateItemError> for Problem {
    fn from(error: CreateItemError) -> Problem {
        match error {
            CreateItemError::DuplicateCode(_) | CreateItemError::DuplicateGtin => {
                Problem::new(ProblemKind::Duplicate, error.to_string())
            }
            CreateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateItemError> for Problem {
    fn from(error: UpdateItemError) -> Problem {
        match error {
            UpdateItemError::NotFound(_) => Problem::not_found(error.to_string()),
            UpdateItemError::DuplicateCode(_) | UpdateItemError::DuplicateGtin => {
                Problem::new(ProblemKind::Duplicate, error.to_string())
            }
            UpdateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateLocationError> for Problem {
    fn from(error: CreateLocationError) -> Problem {
        match error {
            CreateLocationError::DuplicateCode(_) => Problem::new(ProblemKind::Duplicate, error.to_string()),
            CreateLocationError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateLocationError> for Problem {
    fn from(error: UpdateLocationError) -> Problem {
        match error {
            UpdateLocationError::NotFound(_) => Problem::not_found(error.to_string()),
            UpdateLocationError::DuplicateCode(_) => Problem::new(ProblemKind::Duplicate, error.to_string()),
            UpdateLocationError::Storage(e) => e.into(),
        }
    }
}

impl From<ReadError> for Problem {
    fn from(error: ReadError) -> Problem {
        match error {
            ReadError::NotFound => Problem::not_found("no such resource"),
            ReadError::Storage(e) => e.into(),
        }
    }
}

impl From<IssueTokenError> for Problem {
    fn from(error: IssueTokenError) -> Problem {
        match error {
            IssueTokenError::Storage(e) => e.into(),
        }
    }
}

impl From<RevokeTokenError> for Problem {
    fn from(error: RevokeTokenError) -> Problem {
        match error {
            RevokeTokenError::NotFound(_) => Problem::not_found(error.to_string()),
            RevokeTokenError::Storage(e) => e.into(),
        }
    }
}

impl From<AuthenticateError> for Problem {
    fn from(error: AuthenticateError) -> Problem {
        match error {
            AuthenticateError::Invalid => Problem::unauthorized(),
            AuthenticateError::Storage(e) => e.into(),
        }
    }
}
