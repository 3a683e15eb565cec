-- Each API process keeps token -> user for a few seconds (api/token_cache.py). Whatever can
-- refuse a token (revoked, expiry moved, deleted; its user deactivated, re-roled, renamed,
-- deleted) NOTIFYs {schema}_auth, and every process drops what it kept. last_used_at and
-- passwords do not.
CREATE FUNCTION {schema}.auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_auth', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER tokens_refusable AFTER UPDATE OF revoked_at, expires_at, user_id, token_hash
    ON {schema}.tokens FOR EACH STATEMENT EXECUTE FUNCTION {schema}.auth_changed();
CREATE TRIGGER tokens_deleted AFTER DELETE
    ON {schema}.tokens FOR EACH STATEMENT EXECUTE FUNCTION {schema}.auth_changed();
CREATE TRIGGER users_refusable AFTER UPDATE OF active, role, kind, name
    ON {schema}.users FOR EACH STATEMENT EXECUTE FUNCTION {schema}.auth_changed();
CREATE TRIGGER users_deleted AFTER DELETE
    ON {schema}.users FOR EACH STATEMENT EXECUTE FUNCTION {schema}.auth_changed();
