--liquibase formatted sql

--changeset mailer:007-dead-letter-replay
-- Dead letters of sends-dlt already replayed to sends, one row per dead-letter record (topic,
-- partition, offset). The ingress inserts a row before re-publishing and publishes only what it
-- inserted (ON CONFLICT DO NOTHING), so replaying the same dead letter twice, even from two
-- replicas at once, sends it once. A send dead-lettered again after a replay is a new record and
-- can be replayed again.
CREATE TABLE dead_letter_replay (
    topic          TEXT        NOT NULL,
    dlt_partition  INTEGER     NOT NULL,
    dlt_offset     BIGINT      NOT NULL,
    send_id        TEXT        NOT NULL,
    tenant_id      TEXT        NOT NULL,
    batch_id       TEXT        NOT NULL,
    replayed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, dlt_partition, dlt_offset)
);
