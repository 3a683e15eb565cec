-- The JetStream sequence the relay's checkpoint reached: command replies report it as
-- the global `position` once the relay has published their events.
ALTER TABLE {schema}.checkpoints ADD COLUMN stream_seq bigint NOT NULL DEFAULT 0;

-- Idempotency keys of commands, written in the same statement as their events: a retry
-- with the same key finds the first reply instead of appending again.
CREATE TABLE {schema}.idempotency (
    key         text PRIMARY KEY,
    digest      text NOT NULL,
    reply       bytea NOT NULL,
    tx_id       xid8 NOT NULL,
    position    bigint NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Folded decider state per stream, so a command on a long history does not refold it.
-- `state_key` names the state's schema: a snapshot of another shape is never read.
CREATE TABLE {schema}.snapshots (
    stream_id  text PRIMARY KEY,
    state_key  text NOT NULL,
    version    integer NOT NULL,
    tx_id      xid8 NOT NULL,
    position   bigint NOT NULL,
    state      bytea NOT NULL,
    taken_at   timestamptz NOT NULL DEFAULT now()
);
