-- Accounts: a deactivated user's tokens and sessions stop working at their next request;
-- a token has an id (to list and revoke it by), a name, an expiry and a last-used time.
ALTER TABLE {schema}.users ADD COLUMN active boolean NOT NULL DEFAULT true;

ALTER TABLE {schema}.tokens
    ADD COLUMN token_id     uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN name         text NOT NULL DEFAULT 'token',
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN last_used_at timestamptz;
-- Tokens made before they had an expiry (the demo minted new ones at every start) end 90
-- days after they were made.
UPDATE {schema}.tokens SET expires_at = created_at + interval '90 days';
ALTER TABLE {schema}.tokens ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE {schema}.tokens ADD CONSTRAINT tokens_token_id UNIQUE (token_id);
CREATE INDEX tokens_user ON {schema}.tokens (user_id);
