--liquibase formatted sql

--changeset mailer:008-tenant
-- Per-tenant sending policy, set by operator admins: the sender identities a tenant may use
-- (domains or full addresses, lower-case ASCII/Punycode; NULL = any) and its SES configuration
-- set (NULL = the dispatcher's SES_CONFIGURATION_SET). A tenant without a row may use any identity.
CREATE TABLE tenant (
    id                 TEXT PRIMARY KEY,
    allowed_senders    TEXT[],
    configuration_set  TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
