package io.mailer.feedback.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.support.FeedbackStack;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The tables and indexes docs/architecture.md fixes as a contract ("at least the guide's indexes") exist
 * after every migration, as plain btree indexes on exactly those columns: an index that merely
 * starts with the column serves the same lookups, but the contract names this one.
 */
class SchemaContractIntegrationTest {

    @Test
    void shouldHaveTheContractTablesAndIndexesAfterEveryMigration() {
        JdbcTemplate jdbc = FeedbackStack.get().jdbc();

        assertThat(jdbc.queryForList("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", String.class))
                .contains("batch", "recipient", "event", "suppression", "api_key");
        List<String> indexes = jdbc.queryForList(
                "SELECT regexp_replace(indexdef, '^.* ON (ONLY )?(\\S+\\.)?(\\S+) USING btree ', '\\3 ') FROM pg_indexes"
                        + " WHERE schemaname = current_schema()", String.class);
        assertThat(indexes).contains(
                "batch (status, created_at DESC)",
                "event (batch_id, type)",
                "event (created_at DESC)",
                "recipient (batch_id)",
                "suppression (created_at DESC)",
                "api_key (hash)");
    }
}
