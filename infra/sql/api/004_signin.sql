-- Sign-in protection and page sessions (api.signin, api.sessions), in PostgreSQL so that
-- every API replica sees the same failures, locks and sessions.

-- Failed sign-ins per key, 'name:<user name as typed>' or 'address:<client address>'.
-- A row whose last failure is older than the window, or whose lock has passed, counts as
-- nothing (api.throttle) and is deleted by a later sign-in.
CREATE TABLE {schema}.signin_failures (
    key             text PRIMARY KEY,
    failures        integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    locked_until    timestamptz
);
CREATE INDEX signin_failures_last ON {schema}.signin_failures (last_failure_at);

-- A page session: the cookie holds a random token, stored here only as its sha256. It ends
-- after an idle period, an absolute age since sign-in, or at sign-out (row deleted).
CREATE TABLE {schema}.sessions (
    session_hash text PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES {schema}.users (user_id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON {schema}.sessions (user_id);
CREATE INDEX sessions_last_seen ON {schema}.sessions (last_seen_at);
