--liquibase formatted sql

--changeset mailer:013-webhooks
-- Webhooks (issue 14). Both tables are views, rebuildable from Kafka: webhook_endpoint from the
-- compacted webhook-endpoints topic (ingress writes the topic, then this row; the webhook-service
-- projector applies the relay's own changes such as a disable), webhook_delivery from
-- webhook-deliveries. A row is replaced only by a newer revision / a record with at least as many
-- attempts, so redeliveries and the two writers of webhook_endpoint never move a row backwards.
CREATE TABLE webhook_endpoint (
    id               TEXT        PRIMARY KEY,
    tenant_id        TEXT        NOT NULL,
    url              TEXT        NOT NULL,
    events           TEXT        NOT NULL,
    description      TEXT,
    enabled          BOOLEAN     NOT NULL,
    disabled_reason  TEXT,
    disabled_at      TIMESTAMPTZ,
    batch_size       INTEGER     NOT NULL,
    -- the Kafka record as written (JSON, secrets included): what PATCH and rotate-secret start from
    record           JSONB       NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    revision         BIGINT      NOT NULL,
    deleted          BOOLEAN     NOT NULL DEFAULT false
);
CREATE INDEX idx_webhook_endpoint_tenant ON webhook_endpoint (tenant_id, created_at DESC, id);

CREATE TABLE webhook_delivery (
    message_id       TEXT        NOT NULL,
    endpoint_id      TEXT        NOT NULL,
    tenant_id        TEXT        NOT NULL,
    event_type       TEXT,
    status           TEXT        NOT NULL,
    attempts         INTEGER     NOT NULL,
    events           INTEGER     NOT NULL DEFAULT 1,
    last_status_code INTEGER,
    last_latency_ms  BIGINT,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    last_attempt_at  TIMESTAMPTZ,
    next_attempt_at  TIMESTAMPTZ,
    PRIMARY KEY (endpoint_id, message_id)
);
-- GET /webhooks/{id}/deliveries: newest first, keyset on (created_at, message_id)
CREATE INDEX idx_webhook_delivery_endpoint_created ON webhook_delivery (endpoint_id, created_at DESC, message_id DESC);
