package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.feedback.FeedbackApplication;
import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.kafka.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The documented rebuild ({@code --rebuild-projection}): with the service stopped it empties the
 * view and forgets the projector's offsets; the next start replays the topics into the same rows.
 * Runs on its own PostgreSQL, topic prefix and queue so the shared service is not disturbed.
 */
class ProjectionRebuildIntegrationTest {

    private static final String VIEW = """
            SELECT 'recipient ' || send_id || ' ' || status || ' ' || coalesce(ses_message_id, '-') || ' '
                   || coalesce(metadata::text, '-') || ' ' || coalesce(sent_at::text, '-') || ' '
                   || coalesce(delivered_at::text, '-') FROM recipient
            UNION ALL SELECT 'event ' || id || ' ' || type || ' ' || occurred_at::text FROM event
            UNION ALL SELECT 'batch ' || id || ' ' || status || ' ' || total FROM batch
            UNION ALL SELECT 'suppression ' || tenant_id || ' ' || email || ' ' || reason || ' ' || source_event_id
                   FROM suppression
            ORDER BY 1
            """;

    @Test
    void shouldRebuildTheSameViewFromTheTopicsAfterTheTablesAreEmptied() {
        FeedbackStack stack = FeedbackStack.get();
        try (EmbeddedPostgresDb postgres = EmbeddedPostgresDb.start()) {
            rebuild(stack, postgres);
        }
    }

    private static void rebuild(FeedbackStack stack, EmbeddedPostgresDb postgres) {
        String prefix = "rb" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Map<String, String> env = new HashMap<>(stack.env());
        env.put("DATABASE_URL", postgres.databaseUrl());
        env.put("MAILER_TOPIC_PREFIX", prefix);
        env.put("SQS_QUEUE_URL", stack.devStack().sqs().createQueue("rebuild-" + UUID.randomUUID()));
        Topics topics = new Topics(prefix);

        // Given a projected batch of 10 (all sent, 5 delivered) and a suppression
        String b = "rebuild-" + UUID.randomUUID();
        ConfigurableApplicationContext app = FeedbackApplication.start(env);
        JdbcTemplate jdbc = new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                postgres.jdbcUrl(), postgres.username(), postgres.password()));
        List<String> before;
        try {
            BatchCommand chunk = ProjectorFixtures.chunks(b, 10, 10).get(0);
            send(stack, topics.batchCommands, b, chunk);
            for (int i = 0; i < 10; i++) {
                DeliveryEvent sent = ProjectorFixtures.event(b, i, EventType.SENT, 1);
                send(stack, topics.deliveryEvents, sent.sendId(), sent);
                if (i < 5) {
                    DeliveryEvent delivered = ProjectorFixtures.event(b, i, EventType.DELIVERED, 2);
                    send(stack, topics.deliveryEvents, delivered.sendId(), delivered);
                }
            }
            Suppression s = new Suppression("acme", "x@example.com", Suppression.Reason.COMPLAINT, "ev-x",
                    ProjectorFixtures.T0);
            send(stack, topics.suppressions, s.key(), s);
            // the batch row turns COMPLETED after the last SENT is counted, in a later transaction than
            // the rows themselves: wait for the settled view, not just for 27 rows
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                List<String> rows = jdbc.queryForList(VIEW, String.class);
                return rows.size() == 27 && rows.contains("batch " + b + " COMPLETED 10");
            });
            before = jdbc.queryForList(VIEW, String.class);
            // a running projector is a member of the group: the rebuild refuses to wipe its view
            assertThatThrownBy(() -> ProjectionRebuild.run(env, Topics.DEFAULT_PREFIX))
                    .hasMessageContaining("stop every feedback-service instance");
        } finally {
            app.close();
        }
        // When the rebuild runs with the service stopped
        ProjectionRebuild.run(env, Topics.DEFAULT_PREFIX);
        assertThat(jdbc.queryForList(VIEW, String.class)).isEmpty();
        // Then the restarted service projects the same view again
        ConfigurableApplicationContext restarted = FeedbackApplication.start(env);
        try {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(jdbc.queryForList(VIEW, String.class)).isEqualTo(before));
        } finally {
            restarted.close();
        }
    }

    private static <V> void send(FeedbackStack stack, Topic<String, V> topic, String key, V value) {
        stack.send(topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value));
    }
}
