--liquibase formatted sql

--changeset mailer:006-restore-idx-recipient-batch
-- ARCHITECTURE.md fixes the guide's indexes as a contract, recipient(batch_id) among them, so it is
-- back even though idx_recipient_batch_status and idx_recipient_batch_index (both led by batch_id)
-- serve the same lookups (005 dropped it for the projector's write cost).
CREATE INDEX IF NOT EXISTS idx_recipient_batch ON recipient (batch_id);
--rollback DROP INDEX IF EXISTS idx_recipient_batch;
