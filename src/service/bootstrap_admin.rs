use chrono::NaiveDateTime;

use crate::db::{write_tx, DbConnection};
use crate::domain::role::Role;
use crate::domain::token::{Actor, TokenSecret};
use crate::repo;

use super::issue_token::{issue_in_tx, IssueTokenError};

/// On a database that has never had a token, issues the `bootstrap` admin token so the
/// operator can get in; returns its secret. Several instances starting together issue one.
pub fn bootstrap_admin(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Option<TokenSecret>, IssueTokenError> {
    write_tx(conn, |conn| {
        repo::tokens::lock_for_bootstrap(conn)?;
        if repo::tokens::count_all(conn)? > 0 {
            return Ok(None);
        }
        let issued = issue_in_tx(conn, &Actor::command_line(), now, "bootstrap", Role::Admin)?;
        Ok(Some(issued.secret))
    })
}
