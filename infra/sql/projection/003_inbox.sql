-- The inbox (services/projection/views/inbox.py): one row per thing waiting on someone,
-- replaced whenever its initiative's row changes what waits. It waits on the accounts in
-- `accounts`, every user holding a role in `roles`, and users whose name is in `names`
-- (lower case: free-text names such as the accountable person), except those in `done_by`.
-- Initiatives recorded before this migration get their rows from `tollgate projection
-- rebuild`, or with their next event.
CREATE TABLE {schema}.inbox (
    initiative_id text NOT NULL,
    key           text NOT NULL,
    kind          text NOT NULL,
    since         timestamptz NOT NULL,
    accounts      text[] NOT NULL,
    roles         text[] NOT NULL,
    names         text[] NOT NULL,
    done_by       text[] NOT NULL,
    item          jsonb NOT NULL,
    PRIMARY KEY (initiative_id, key)
);
CREATE INDEX inbox_accounts ON {schema}.inbox USING gin (accounts);
CREATE INDEX inbox_roles ON {schema}.inbox USING gin (roles);
CREATE INDEX inbox_names ON {schema}.inbox USING gin (names);
