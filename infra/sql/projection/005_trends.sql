-- The trend radar (services/projection/trends_store.py): one row per trend as it stands,
-- and one row per ring move (keyed by its event id) for each trend's history. `as_of`
-- folds the trends' events from the timeline instead, so it shows edits as they were too.
CREATE TABLE {schema}.trends (
    trend_id    text PRIMARY KEY,
    name        text NOT NULL,
    quadrant    text NOT NULL,
    ring        text NOT NULL,
    search      text NOT NULL,
    initiatives text[] NOT NULL,
    added_at    timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    seq         bigint NOT NULL,
    doc         jsonb NOT NULL
);
CREATE INDEX trends_ring ON {schema}.trends (ring, quadrant);
CREATE INDEX trends_initiatives ON {schema}.trends USING gin (initiatives);

CREATE TABLE {schema}.trend_moves (
    event_id   text PRIMARY KEY,
    trend_id   text NOT NULL,
    seq        bigint NOT NULL,
    at         timestamptz NOT NULL,
    from_ring  text NOT NULL,
    to_ring    text NOT NULL,
    rationale  text NOT NULL,
    actor      text NOT NULL,
    actorkind  text NOT NULL
);
CREATE INDEX trend_moves_trend ON {schema}.trend_moves (trend_id, seq);
