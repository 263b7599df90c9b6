--liquibase formatted sql

--changeset mailer:014-webhook-delivery-retention
-- The webhook-service deletes deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS in small
-- chunks (DeliveryRetention); this index finds them without scanning the table.
CREATE INDEX IF NOT EXISTS idx_webhook_delivery_created ON webhook_delivery (created_at);
--rollback DROP INDEX IF EXISTS idx_webhook_delivery_created;
