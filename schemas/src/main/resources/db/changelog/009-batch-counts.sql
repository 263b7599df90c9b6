--liquibase formatted sql

--changeset mailer:009-batch-counts
-- Per-batch milestone counters, maintained by the projector in the transaction that changes the
-- recipient rows, so GET /api/v1/batches/{id} reads one row instead of aggregating every recipient
-- (a 1,000,000-recipient batch took a full index scan per request). Each counter is the number of
-- the batch's recipient rows matching the milestone rule of docs/architecture.md (the rules of the
-- former aggregate, see the backfill below); queued is derived (total - suppressed - sent - failed
-- - cancelled). No foreign key: events may reach the projector before the batch's first chunk.
CREATE TABLE batch_counts (
    batch_id    TEXT    PRIMARY KEY,
    suppressed  INTEGER NOT NULL DEFAULT 0,
    sent        INTEGER NOT NULL DEFAULT 0,
    delivered   INTEGER NOT NULL DEFAULT 0,
    bounced     INTEGER NOT NULL DEFAULT 0,
    complained  INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    cancelled   INTEGER NOT NULL DEFAULT 0
);
-- The counter bits of a recipient row as they were before the projector's last write to it: the
-- event upsert sets it from the old row and returns it beside the new row's bits, so the projector
-- gets the before/after delta of each transition from one race-free statement (PostgreSQL 17 has
-- no RETURNING OLD). Meaningless outside that statement. A constant default: no table rewrite.
ALTER TABLE recipient ADD COLUMN prev_count_flags SMALLINT NOT NULL DEFAULT 0;
--rollback ALTER TABLE recipient DROP COLUMN prev_count_flags; DROP TABLE batch_counts;

--changeset mailer:009-batch-counts-backfill
-- Counts of the rows already there (upgraded databases). SHARE mode keeps a projector of the
-- previous version from changing recipients while they are counted; such a projector must not run
-- after this migration either (it would not maintain the counters): stop every old feedback-service
-- instance before the new one starts (docs/operations.md, upgrades).
LOCK TABLE recipient IN SHARE MODE;
INSERT INTO batch_counts (batch_id, suppressed, sent, delivered, bounced, complained, failed, cancelled)
SELECT batch_id,
       count(*) FILTER (WHERE status = 'SUPPRESSED'),
       count(*) FILTER (WHERE status IN ('SENT','DELIVERED','BOUNCED','COMPLAINED')),
       count(*) FILTER (WHERE status IN ('DELIVERED','COMPLAINED') OR (delivered_at IS NOT NULL AND status <> 'BOUNCED')),
       count(*) FILTER (WHERE status = 'BOUNCED'),
       count(*) FILTER (WHERE complained_at IS NOT NULL OR status = 'COMPLAINED'),
       count(*) FILTER (WHERE status = 'FAILED'),
       count(*) FILTER (WHERE status = 'CANCELLED')
  FROM recipient
 GROUP BY batch_id
ON CONFLICT (batch_id) DO NOTHING;
--rollback DELETE FROM batch_counts;
