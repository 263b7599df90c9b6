--liquibase formatted sql

--changeset mailer:004-api-key-usage
-- Recipients submitted per API key and UTC day: the ingress replicas add their reservations here
-- every second, so the daily budget holds across replicas and restarts. Old days are pruned by
-- the ingress (rows older than 7 days).
CREATE TABLE api_key_usage (
    key_id     TEXT   NOT NULL,
    day        DATE   NOT NULL,
    recipients BIGINT NOT NULL,
    PRIMARY KEY (key_id, day)
);
