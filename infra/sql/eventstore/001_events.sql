-- The event store of one service. Its events table is also the outbox.
-- tx_id orders commits: readers only read below the oldest running transaction,
-- so an event whose transaction commits late is never skipped.
CREATE TABLE {schema}.events (
    position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id   text NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    event_id    uuid NOT NULL,
    type        text NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    data        jsonb NOT NULL,
    metadata    jsonb NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (stream_id, version),
    CONSTRAINT events_event_id UNIQUE (event_id)
);
CREATE INDEX events_global_order ON {schema}.events (tx_id, position);

-- Where a reader of the global order (the outbox relay) has got to.
CREATE TABLE {schema}.checkpoints (
    name     text PRIMARY KEY,
    tx_id    xid8 NOT NULL,
    position bigint NOT NULL
);

-- Events a consumer has handled, written in the same transaction as its effects.
CREATE TABLE {schema}.processed (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
