-- Read models of the projection service. Rebuilt from the events at any time.

-- One row per initiative: every view's document, plus columns to filter on.
CREATE TABLE {schema}.initiatives (
    initiative_id    text PRIMARY KEY,
    stage            text NOT NULL,
    status           text NOT NULL,
    owner            text NOT NULL,
    risk_class       text,
    title            text NOT NULL,
    search           text NOT NULL,
    entered_stage_at timestamptz,
    updated_at       timestamptz,
    summary          jsonb NOT NULL,
    doc              jsonb NOT NULL
);
CREATE INDEX initiatives_stage ON {schema}.initiatives (stage, status);
CREATE INDEX initiatives_status ON {schema}.initiatives (status);
CREATE INDEX initiatives_owner ON {schema}.initiatives (owner);
CREATE INDEX initiatives_risk ON {schema}.initiatives (risk_class);
CREATE INDEX initiatives_updated ON {schema}.initiatives (updated_at DESC);

-- Every event as its CloudEvent JSON, in JetStream order.
CREATE TABLE {schema}.timeline (
    seq           bigint NOT NULL,
    event_id      text NOT NULL UNIQUE,
    initiative_id text NOT NULL,
    stage         text NOT NULL,
    type          text NOT NULL,
    actor         text NOT NULL,
    actorkind     text NOT NULL,
    time          timestamptz NOT NULL,
    body          jsonb NOT NULL
);
CREATE INDEX timeline_initiative ON {schema}.timeline (initiative_id, seq);
CREATE INDEX timeline_time ON {schema}.timeline (time);

-- Last stream version applied per (stage store, initiative): repeats are skipped, gaps wait.
CREATE TABLE {schema}.stream_versions (
    stage         text NOT NULL,
    initiative_id text NOT NULL,
    version       integer NOT NULL,
    PRIMARY KEY (stage, initiative_id)
);

-- The highest JetStream sequence applied (read-your-own-writes, lag). `retired` is set
-- on the old schema when a rebuild switches in, so a late live write retries on the new.
CREATE TABLE {schema}.position (
    id         integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    sequence   bigint NOT NULL DEFAULT 0,
    applied_at timestamptz NOT NULL DEFAULT now(),
    retired    boolean NOT NULL DEFAULT false
);
INSERT INTO {schema}.position (id) VALUES (1);

-- Events the consumer has handled, written in the same transaction as its effects.
CREATE TABLE {schema}.processed (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
