-- Commands resolve the owner and team names a request gives to accounts (api/people.py):
-- by the names, ignoring case, not by reading every user.
CREATE INDEX users_lower_name ON {schema}.users (lower(name));
