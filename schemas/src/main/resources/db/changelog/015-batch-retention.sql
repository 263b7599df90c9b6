--liquibase formatted sql

--changeset mailer:015-batch-retention
-- The feedback service deletes batches created more than BATCH_RETENTION_DAYS ago, a chunk at a
-- time (PartitionMaintenance); this index finds them without scanning the table.
CREATE INDEX IF NOT EXISTS idx_batch_created ON batch (created_at);
--rollback DROP INDEX IF EXISTS idx_batch_created;
