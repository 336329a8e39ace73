-- Web app sessions: the cookie carries a random secret, the database only its SHA-256; each
-- session has its own anti-forgery token; a session unused for a while expires.
CREATE TABLE sessions (
    secret_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
