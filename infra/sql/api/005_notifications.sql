-- Notifications (api/notifier): a user's e-mail address and how they want to hear of what
-- waits in their inbox; what was notified to whom (once per inbox item and user); the
-- mails to send; the entries waiting for a user's daily digest, and the digests sent.
ALTER TABLE {schema}.users ADD COLUMN email text;
ALTER TABLE {schema}.users ADD COLUMN notify text NOT NULL DEFAULT 'immediate'
    CHECK (notify IN ('immediate', 'digest', 'off'));

-- One row per (inbox item, user) ever notified, whatever the channel: an item is told once.
CREATE TABLE {schema}.notified (
    initiative_id text NOT NULL,
    key           text NOT NULL,
    recipient     text NOT NULL,
    channel       text NOT NULL,  -- immediate, digest, none (no address, off, or no SMTP)
    notified_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (initiative_id, key, recipient)
);

CREATE TABLE {schema}.mails (
    mail_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('immediate', 'digest')),
    recipient       text NOT NULL,
    address         text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX mails_due ON {schema}.mails (next_attempt_at) WHERE status = 'pending';

CREATE TABLE {schema}.digest_entries (
    entry_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient     text NOT NULL,
    initiative_id text NOT NULL,
    key           text NOT NULL,
    item          jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    digest_day    date  -- set when a digest took it
);
CREATE INDEX digest_entries_pending ON {schema}.digest_entries (recipient) WHERE digest_day IS NULL;

-- At most one digest per user and day.
CREATE TABLE {schema}.digests (
    recipient text NOT NULL,
    day       date NOT NULL,
    entries   integer NOT NULL,
    mail_id   bigint,
    PRIMARY KEY (recipient, day)
);
