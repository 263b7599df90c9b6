--liquibase formatted sql

--changeset mailer:003-event-tenant-email-type
-- The feedback intake's transient-bounce policy counts a recipient's SOFT_BOUNCED events in a
-- time window (N soft bounces in M days → suppression).
CREATE INDEX idx_event_tenant_email_type ON event (tenant_id, email, type, occurred_at);
