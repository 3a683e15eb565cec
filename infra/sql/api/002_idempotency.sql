-- Responses to requests that carried an Idempotency-Key, per caller: a retry with the same
-- key and request gets the stored response again (api.idempotency). A row whose status is
-- NULL is a request still being handled. Rows expire after 24 hours.
CREATE TABLE {schema}.idempotency (
    scope_key  text PRIMARY KEY,  -- "{actor id}:{client key}"
    digest     text NOT NULL,     -- sha256 of method, path, query and body
    status     integer,
    headers    jsonb NOT NULL DEFAULT '[]',
    body       bytea,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_created_at ON {schema}.idempotency (created_at);
