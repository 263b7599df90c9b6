--liquibase formatted sql

--changeset mailer:001-batch
CREATE TABLE batch (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT        NOT NULL,
    status        TEXT        NOT NULL,
    total         INTEGER     NOT NULL DEFAULT 0,
    chunk_count   INTEGER     NOT NULL DEFAULT 0,
    from_address  TEXT,
    subject       TEXT,
    tags          JSONB,
    send_at       TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at  TIMESTAMPTZ
);
CREATE INDEX idx_batch_status_created ON batch (status, created_at DESC);
CREATE INDEX idx_batch_tenant_created ON batch (tenant_id, created_at DESC);

--changeset mailer:001-recipient
-- One row per recipient; status only moves forward (status_rank), so late or repeated events
-- never move a recipient back (a late Delivery never overwrites Bounced).
CREATE TABLE recipient (
    send_id         TEXT PRIMARY KEY,
    batch_id        TEXT        NOT NULL,
    tenant_id       TEXT        NOT NULL,
    recipient_index INTEGER     NOT NULL,
    email           TEXT        NOT NULL,
    status          TEXT        NOT NULL,
    status_rank     INTEGER     NOT NULL,
    ses_message_id  TEXT,
    metadata        JSONB,
    reason          TEXT,
    sent_at         TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    bounced_at      TIMESTAMPTZ,
    complained_at   TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_recipient_batch ON recipient (batch_id);
CREATE INDEX idx_recipient_batch_status ON recipient (batch_id, status);
CREATE INDEX idx_recipient_ses_message ON recipient (ses_message_id);

--changeset mailer:001-event
CREATE TABLE event (
    id              TEXT PRIMARY KEY,
    batch_id        TEXT        NOT NULL,
    send_id         TEXT        NOT NULL,
    tenant_id       TEXT        NOT NULL,
    type            TEXT        NOT NULL,
    email           TEXT,
    ses_message_id  TEXT,
    reason          TEXT,
    details         JSONB,
    occurred_at     TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_event_batch_type ON event (batch_id, type);
CREATE INDEX idx_event_created ON event (created_at DESC);
CREATE INDEX idx_event_send ON event (send_id);
-- the deployment guide's settings: event is the hottest, append-mostly table
ALTER TABLE event SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.005);

--changeset mailer:001-suppression
CREATE TABLE suppression (
    tenant_id        TEXT        NOT NULL,
    email            TEXT        NOT NULL,
    reason           TEXT        NOT NULL,
    source_event_id  TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, email)
);
CREATE INDEX idx_suppression_created ON suppression (created_at DESC);

--changeset mailer:001-api-key
-- The deployment guide calls this table "ApiKey". Only the SHA-256 of a key is stored.
CREATE TABLE api_key (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT        NOT NULL,
    name          TEXT,
    prefix        TEXT        NOT NULL,
    hash          TEXT        NOT NULL UNIQUE,
    scopes        TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX idx_apikey_hash ON api_key (hash);
