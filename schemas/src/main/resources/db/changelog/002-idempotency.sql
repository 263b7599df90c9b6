--liquibase formatted sql

--changeset mailer:002-idempotency-key
-- Idempotency-Key state of POST /api/v1/batches, shared by every ingress replica. A row is claimed
-- (IN_FLIGHT) before the batch is written to Kafka and completed (DONE, with the answer) after the
-- commit; a failed submission deletes its row so the client can retry with the same key.
CREATE TABLE idempotency_key (
    tenant_id        TEXT        NOT NULL,
    idem_key         TEXT        NOT NULL,
    request_hash     TEXT,
    state            TEXT        NOT NULL,
    response_status  INTEGER,
    response_body    TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, idem_key)
);
CREATE INDEX idx_idempotency_expires ON idempotency_key (expires_at);

--changeset mailer:002-read-indexes
-- Keyset pagination of the ingress read endpoints.
CREATE INDEX idx_recipient_batch_index ON recipient (batch_id, recipient_index);
CREATE INDEX idx_event_batch_occurred ON event (batch_id, occurred_at, id);
CREATE INDEX idx_suppression_tenant_email ON suppression (tenant_id, email);
