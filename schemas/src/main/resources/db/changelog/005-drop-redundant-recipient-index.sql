--liquibase formatted sql

--changeset mailer:005-drop-idx-recipient-batch
-- idx_recipient_batch (batch_id) is a prefix of idx_recipient_batch_status (batch_id, status) and
-- of idx_recipient_batch_index (batch_id, recipient_index), which serve every batch_id lookup;
-- it only cost the projector one more index entry per recipient insert and status change.
DROP INDEX IF EXISTS idx_recipient_batch;
--rollback CREATE INDEX idx_recipient_batch ON recipient (batch_id);
