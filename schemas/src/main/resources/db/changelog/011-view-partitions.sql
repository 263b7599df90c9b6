--liquibase formatted sql

--changeset mailer:011-view-partitions splitStatements:false
-- Time-partitioned view tables (issue 13, bounded state): recipient and event become PARTITION BY
-- RANGE (batch_at), one partition per UTC day (recipient_pYYYYMMDD, event_pYYYYMMDD), so the
-- feedback service drops whole days older than VIEW_RETENTION_DAYS (DETACH ... CONCURRENTLY, DROP)
-- instead of deleting rows.
--
-- The partition key must be in every primary key, and the projector deduplicates by those keys
-- (event id, send id), so it must be the SAME value for every write of a row: batch_at is the
-- partition time of the row's BATCH, fixed once per batch in batch_partition (the batch's
-- createdAt when its first chunk is projected first, else the time of the first event the
-- projector saw of it; first writer wins, everyone reads the stored value). An event id or a send
-- id belongs to one batch, so a redelivered event or a repeated upsert always lands on the same row.
--
-- Migration of the current schema without data loss: the old tables are renamed, the partitioned
-- ones created with a partition for every day from the oldest row's batch day to 7 days ahead,
-- the rows copied, the indexes and keys recreated, the old tables dropped. Run it with every
-- feedback-service of the previous version stopped (its projector does not know batch_at).
CREATE TABLE batch_partition (
    batch_id  TEXT        PRIMARY KEY,
    batch_at  TIMESTAMPTZ NOT NULL
);
LOCK TABLE batch, recipient, event IN SHARE MODE;
INSERT INTO batch_partition (batch_id, batch_at) SELECT id, created_at FROM batch;
-- batches known only from their events or recipient rows (an event projected before any chunk)
INSERT INTO batch_partition (batch_id, batch_at)
SELECT batch_id, min(t) FROM (
    SELECT batch_id, occurred_at AS t FROM event
    UNION ALL SELECT batch_id, updated_at FROM recipient) x
GROUP BY batch_id
ON CONFLICT (batch_id) DO NOTHING;

ALTER TABLE recipient RENAME TO recipient_unpartitioned;
ALTER TABLE recipient_unpartitioned DROP CONSTRAINT recipient_pkey;
DROP INDEX idx_recipient_batch, idx_recipient_batch_status, idx_recipient_ses_message, idx_recipient_batch_index;
ALTER TABLE event RENAME TO event_unpartitioned;
ALTER TABLE event_unpartitioned DROP CONSTRAINT event_pkey;
DROP INDEX idx_event_batch_type, idx_event_created, idx_event_send, idx_event_batch_occurred, idx_event_tenant_email_type;

-- batch_at has a default only for writers other than the projector (tests, benchmarks seeding
-- rows); the projector always writes its batch's batch_partition value.
CREATE TABLE recipient (
    send_id          TEXT        NOT NULL,
    batch_id         TEXT        NOT NULL,
    tenant_id        TEXT        NOT NULL,
    recipient_index  INTEGER     NOT NULL,
    email            TEXT        NOT NULL,
    status           TEXT        NOT NULL,
    status_rank      INTEGER     NOT NULL,
    ses_message_id   TEXT,
    metadata         JSONB,
    reason           TEXT,
    sent_at          TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    bounced_at       TIMESTAMPTZ,
    complained_at    TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    prev_count_flags SMALLINT    NOT NULL DEFAULT 0,
    batch_at         TIMESTAMPTZ NOT NULL DEFAULT now()
) PARTITION BY RANGE (batch_at);

CREATE TABLE event (
    id              TEXT        NOT NULL,
    batch_id        TEXT        NOT NULL,
    send_id         TEXT        NOT NULL,
    tenant_id       TEXT        NOT NULL,
    type            TEXT        NOT NULL,
    email           TEXT,
    ses_message_id  TEXT,
    reason          TEXT,
    details         JSONB,
    occurred_at     TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    batch_at        TIMESTAMPTZ NOT NULL DEFAULT now()
) PARTITION BY RANGE (batch_at);

-- one partition per UTC day, from the oldest batch day to 7 days ahead; the feedback service's
-- partition job (ViewPartitions) names and bounds them the same way and keeps them ahead
DO $$
DECLARE
    d date := LEAST((SELECT min(batch_at AT TIME ZONE 'UTC')::date FROM batch_partition),
                    (now() AT TIME ZONE 'UTC')::date);
    last date := (now() AT TIME ZONE 'UTC')::date + 7;
BEGIN
    WHILE d <= last LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF recipient FOR VALUES FROM (%L) TO (%L)',
                       'recipient_p' || to_char(d, 'YYYYMMDD'), d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
        EXECUTE format('CREATE TABLE %I PARTITION OF event FOR VALUES FROM (%L) TO (%L)'
                       || ' WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.005)',
                       'event_p' || to_char(d, 'YYYYMMDD'), d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
        d := d + 1;
    END LOOP;
END
$$;

INSERT INTO recipient (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank, ses_message_id,
                       metadata, reason, sent_at, delivered_at, bounced_at, complained_at, updated_at,
                       prev_count_flags, batch_at)
SELECT r.send_id, r.batch_id, r.tenant_id, r.recipient_index, r.email, r.status, r.status_rank, r.ses_message_id,
       r.metadata, r.reason, r.sent_at, r.delivered_at, r.bounced_at, r.complained_at, r.updated_at,
       r.prev_count_flags, k.batch_at
  FROM recipient_unpartitioned r JOIN batch_partition k ON k.batch_id = r.batch_id;

INSERT INTO event (id, batch_id, send_id, tenant_id, type, email, ses_message_id, reason, details, occurred_at,
                   created_at, batch_at)
SELECT e.id, e.batch_id, e.send_id, e.tenant_id, e.type, e.email, e.ses_message_id, e.reason, e.details,
       e.occurred_at, e.created_at, k.batch_at
  FROM event_unpartitioned e JOIN batch_partition k ON k.batch_id = e.batch_id;

-- the same keys (plus the partition key) and the same indexes as before, on every partition
ALTER TABLE recipient ADD PRIMARY KEY (send_id, batch_at);
CREATE INDEX idx_recipient_batch ON recipient (batch_id);
CREATE INDEX idx_recipient_batch_status ON recipient (batch_id, status);
CREATE INDEX idx_recipient_ses_message ON recipient (ses_message_id);
CREATE INDEX idx_recipient_batch_index ON recipient (batch_id, recipient_index);
ALTER TABLE event ADD PRIMARY KEY (id, batch_at);
CREATE INDEX idx_event_batch_type ON event (batch_id, type);
CREATE INDEX idx_event_created ON event (created_at DESC);
CREATE INDEX idx_event_send ON event (send_id);
CREATE INDEX idx_event_batch_occurred ON event (batch_id, occurred_at, id);
CREATE INDEX idx_event_tenant_email_type ON event (tenant_id, email, type, occurred_at);

-- nothing lost: the copies hold every row (a JOIN miss would be a batch without a key)
DO $$
BEGIN
    IF (SELECT count(*) FROM recipient) <> (SELECT count(*) FROM recipient_unpartitioned)
       OR (SELECT count(*) FROM event) <> (SELECT count(*) FROM event_unpartitioned) THEN
        RAISE EXCEPTION 'view partitioning: row counts differ after the copy';
    END IF;
END
$$;
DROP TABLE recipient_unpartitioned;
DROP TABLE event_unpartitioned;
ANALYZE batch_partition;
ANALYZE recipient;
ANALYZE event;
