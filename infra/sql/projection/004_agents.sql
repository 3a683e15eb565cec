-- AI agents (services/projection/agents_store.py, PRODUCT.md section 9): one row per agent
-- with its policy, sponsor and status; one row per screened action; one per suspension
-- (the kill switch's incident on each initiative it worked on, and the committee's
-- re-entry review until it is reinstated). Written by the agents side view, idempotently.
CREATE TABLE {schema}.agents (
    agent_id         text PRIMARY KEY,
    policy           jsonb,
    policy_version   integer NOT NULL DEFAULT 0,
    policy_set_by    text,
    policy_set_at    timestamptz,
    attestation_days integer NOT NULL DEFAULT 90,
    sponsor          text,
    attested_at      timestamptz,
    attested_until   timestamptz,
    status           text NOT NULL DEFAULT 'active',
    suspended_reason text,
    suspended_at     timestamptz,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX agents_sponsor ON {schema}.agents (sponsor);

CREATE TABLE {schema}.agent_actions (
    agent_id         text NOT NULL,
    action_id        text NOT NULL,
    action           text NOT NULL,
    initiative_id    text NOT NULL,
    stage            text,
    rule             text NOT NULL,
    status           text NOT NULL,  -- allowed, held, approved, rejected, refused
    screened_at      timestamptz NOT NULL,
    approver_account text,
    approver_role    text,
    deadline         timestamptz,
    command          text,
    decided_by       text,
    decided_at       timestamptz,
    reason           text,
    escalated_to     text,
    escalated        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (agent_id, action_id)
);
CREATE INDEX agent_actions_held ON {schema}.agent_actions (screened_at) WHERE status = 'held';
CREATE INDEX agent_actions_approver ON {schema}.agent_actions (decided_by) WHERE decided_by IS NOT NULL;
CREATE INDEX agent_actions_initiative ON {schema}.agent_actions (initiative_id);

CREATE TABLE {schema}.agent_suspensions (
    suspension_id  text PRIMARY KEY,  -- the agent_suspended event's id
    agent_id       text NOT NULL,
    at             timestamptz NOT NULL,
    reason         text NOT NULL,
    suspended_by   text NOT NULL,
    initiatives    text[] NOT NULL,
    reinstated_at  timestamptz,
    reinstated_by  text
);
CREATE INDEX agent_suspensions_initiatives ON {schema}.agent_suspensions USING gin (initiatives);
CREATE INDEX agent_suspensions_open ON {schema}.agent_suspensions (at) WHERE reinstated_at IS NULL;
