--liquibase formatted sql

--changeset mailer:010-batch-list-indexes
-- GET /api/v1/batches: a tenant's batches newest first, keyset-paginated on (created_at, id).
-- It replaces idx_batch_tenant_created (tenant_id, created_at DESC), its prefix.
CREATE INDEX IF NOT EXISTS idx_batch_tenant_created_id ON batch (tenant_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS idx_batch_tenant_created;
-- ?tag=name:value is a containment test on the message tags the projector stores (batch.tags).
CREATE INDEX IF NOT EXISTS idx_batch_tags ON batch USING gin (tags jsonb_path_ops);
--rollback DROP INDEX IF EXISTS idx_batch_tags; CREATE INDEX idx_batch_tenant_created ON batch (tenant_id, created_at DESC); DROP INDEX IF EXISTS idx_batch_tenant_created_id;
