-- The API's own data: users and their tokens, webhook subscriptions and deliveries.
CREATE TABLE {schema}.users (
    user_id       uuid PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL
        CHECK (role IN ('viewer', 'contributor', 'owner', 'committee', 'admin')),
    kind          text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'agent')),
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Only the sha256 of a token is stored: the token itself is shown once.
CREATE TABLE {schema}.tokens (
    token_hash text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES {schema}.users (user_id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE {schema}.subscriptions (
    subscription_id uuid PRIMARY KEY,
    url             text NOT NULL,
    event_types     text[] NOT NULL,
    initiative_id   text,
    secret          text NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'disabled', 'deleted')),
    failures        integer NOT NULL DEFAULT 0
);

-- One row per (subscription, event): the delivery and its attempts so far.
CREATE TABLE {schema}.deliveries (
    delivery_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES {schema}.subscriptions (subscription_id),
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    body            bytea NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    CONSTRAINT deliveries_once UNIQUE (subscription_id, event_id)
);
CREATE INDEX deliveries_due ON {schema}.deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE {schema}.attempts (
    delivery_id  bigint NOT NULL REFERENCES {schema}.deliveries (delivery_id),
    attempt      integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    status_code  integer,
    error        text,
    duration_ms  integer NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- Events the webhook fan-out consumer has handled (infra.consumer tracking table).
CREATE TABLE {schema}.processed (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
