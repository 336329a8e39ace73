use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

/// One connection type over both backends; the backend is chosen by the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a `database.url` designates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A file path (relative to the working directory, or absolute with `sqlite:///...`).
    Sqlite {
        path: String,
    },
    Postgres {
        url: String,
    },
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("a sqlite URL needs a file path, e.g. sqlite://data/mipstock.db".into());
            }
            Ok(Backend::Sqlite { path: path.to_owned() })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres { url: url.to_owned() })
        } else {
            Err("must start with sqlite:// or postgres://".into())
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    pub fn connect(&self) -> Result<DbConnection, ConnectionError> {
        match self {
            Backend::Postgres { url } => PgConnection::establish(url).map(DbConnection::Pg),
            Backend::Sqlite { path } => {
                let mut conn = SqliteConnection::establish(path)?;
                // WAL lets readers run beside the writer; the busy timeout makes writers queue.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 15000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl DbConnection {
    pub(super) fn ping(&mut self) -> diesel::QueryResult<()> {
        self.batch_execute("SELECT 1")
    }

    pub(super) fn is_broken(&mut self) -> bool {
        match self {
            DbConnection::Pg(c) => R2D2Connection::is_broken(c),
            DbConnection::Sqlite(c) => R2D2Connection::is_broken(c),
        }
    }
}

/// Keeps the password of a PostgreSQL URL out of messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").unwrap(),
            Backend::Sqlite {
                path: "data/x.db".into()
            }
        );
        assert_eq!(
            Backend::from_url("sqlite:///tmp/x.db").unwrap(),
            Backend::Sqlite {
                path: "/tmp/x.db".into()
            }
        );
        assert_eq!(Backend::from_url("postgresql://h/db").unwrap().name(), "postgres");
        assert!(Backend::from_url("mysql://h/db").is_err());
        assert!(Backend::from_url("sqlite://").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://data/m.db"), "sqlite://data/m.db");
    }
}
