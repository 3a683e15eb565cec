-- Each API process also keeps accounts by name for a few seconds (api/names.py): a user
-- added under a name that differs from a kept one only in case changes how that name
-- resolves, so an added user NOTIFYs {schema}_auth as well, and every process drops what it
-- kept (tokens included: adding users is rare).
CREATE TRIGGER users_added AFTER INSERT
    ON {schema}.users FOR EACH STATEMENT EXECUTE FUNCTION {schema}.auth_changed();
