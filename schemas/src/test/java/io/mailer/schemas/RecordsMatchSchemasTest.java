package io.mailer.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookDelivery;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookMessage;
import io.mailer.schemas.webhooks.WebhookSecret;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the code writes to each topic validates against the topic's published JSON Schema. */
class RecordsMatchSchemasTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:15:30.123Z");
    private static final Topics TOPICS = new Topics("mailer.");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaMappers(m -> m.mapPrefix("https://mailer.io/schemas/", "classpath:schemas/")));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final ObjectMapper JSON2 = new ObjectMapper();

    private final MessageContent message = new MessageContent("News <news@example.com>", "help@example.com",
            "Hello {{name}}", "<p>Hi {{name}}</p>", "Hi {{name}}", Map.of("X-Campaign", "nov"),
            Map.of("campaign", "nov"), null, false);

    @Test
    void shouldWriteSubmitChunkThatMatchesBatchCommandSchema() {
        var chunk = BatchCommand.submitChunk("bat_1", "acme", 1, 3, 500, 1200, message,
                List.of(new RecipientEntry("a@example.com", Map.of("name", "Ann", "n", 3), Map.of("crm", "42"))), NOW);
        assertThat(violations("batch-command", TOPICS.batchCommands, chunk)).isEmpty();
    }

    @Test
    void shouldWriteSubmitChunkWithAConfigurationSetThatMatchesBatchCommandSchema() {
        var withSet = new MessageContent("news@example.com", null, "s", null, "t", Map.of(), Map.of(), null, false, "tenant-cs");
        var chunk = BatchCommand.submitChunk("bat_1", "acme", 0, 1, 0, 1, withSet,
                List.of(new RecipientEntry("a@example.com", Map.of(), Map.of())), NOW);
        assertThat(violations("batch-command", TOPICS.batchCommands, chunk)).isEmpty();
        assertThat(TOPICS.batchCommands.valueSerde().deserializer().deserialize("t",
                TOPICS.batchCommands.valueSerde().serializer().serialize("t", chunk)))
                .isInstanceOfSatisfying(BatchCommand.SubmitChunk.class,
                        read -> assertThat(read.message().configurationSet()).isEqualTo("tenant-cs"));
    }

    @Test
    void shouldWriteCancelThatMatchesBatchCommandSchema() {
        assertThat(violations("batch-command", TOPICS.batchCommands, BatchCommand.cancel("bat_1", "acme", NOW))).isEmpty();
    }

    @Test
    void shouldRejectSubmitChunkWithoutMessageAgainstSchema() {
        var broken = new BatchCommand.SubmitChunk("bat_1", "acme", 0, 1, 0, 1, null, List.of(), NOW);
        assertThat(violations("batch-command", TOPICS.batchCommands, broken)).isNotEmpty();
    }

    @Test
    void shouldWriteSendThatMatchesSendSchema() {
        var send = new SendRequest(Ids.sendId("bat_1", 7), "bat_1", "acme", 7, "a@example.com",
                Map.of("name", "Ann"), Map.of(), message, NOW);
        assertThat(violations("send", TOPICS.sends, send)).isEmpty();
    }

    @Test
    void shouldWriteEveryDeliveryEventTypeThatMatchesSchema() {
        var send = new SendRequest("bat_1-7", "bat_1", "acme", 7, "a@example.com", Map.of(), Map.of(), message, NOW);
        for (EventType type : EventType.values()) {
            var event = DeliveryEvent.pipelineOutcome(type, send, NOW, "0100-abc", "because");
            assertThat(violations("delivery-event", TOPICS.deliveryEvents, event)).as(type.name()).isEmpty();
        }
    }

    @Test
    void shouldWriteBatchCancellationThatMatchesSchema() {
        var cancellation = new io.mailer.schemas.commands.BatchCancellation("bat_1", "acme", NOW);
        assertThat(violations("batch-cancellation", TOPICS.batchCancellations, cancellation)).isEmpty();
    }

    @Test
    void shouldWriteSuppressionThatMatchesSchema() {
        var suppression = new Suppression("acme", "Bob@Example.COM", Suppression.Reason.BOUNCE, "ev-1", NOW);
        assertThat(suppression.email()).isEqualTo("bob@example.com");
        assertThat(violations("suppression", TOPICS.suppressions, suppression)).isEmpty();
    }

    @Test
    void shouldWriteWebhookRecordsThatMatchTheirSchemas() {
        var secret = new WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null);
        var rotated = new WebhookSecret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", NOW.plusSeconds(86400));
        var endpoint = new WebhookEndpoint("wh_abc", "acme", "https://hooks.example.com/mailer", List.of("DELIVERED", "BOUNCED"),
                "CRM", true, null, null, List.of(secret, rotated), 1, NOW, NOW, 1L);
        assertThat(violations("webhook-endpoint", TOPICS.webhookEndpoints, endpoint)).isEmpty();
        assertThat(violations("webhook-endpoint", TOPICS.webhookEndpoints, endpoint.disabled("endpoint answered 410 Gone", NOW))).isEmpty();
        assertThat(violations("webhook-command", TOPICS.webhookCommands,
                new WebhookCommand(WebhookCommand.Type.REPLAY, "c1", "wh_abc", "acme", NOW.minusSeconds(60), NOW))).isEmpty();
        var message = new WebhookMessage("msg_x", "wh_abc", "acme", "bat_1-0", "email.sent", "{\"type\":\"email.sent\"}", 0,
                1L, NOW, null);
        assertThat(violations("webhook-message", TOPICS.webhookRetries.get(0), message)).isEmpty();
        assertThat(violations("webhook-message", TOPICS.webhookRetries.get(5), message.failedOnce(NOW))).isEmpty();
        assertThat(violations("webhook-delivery", TOPICS.webhookDeliveries, new WebhookDelivery("msg_x", "wh_abc", "acme", "email.sent",
                WebhookDelivery.Status.RETRYING, 1, 503, 12L, null, NOW, NOW, NOW.plusSeconds(10), 1))).isEmpty();
    }

    @Test
    void shouldNeverPrintWebhookSecrets() {
        var secret = new WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null);
        var endpoint = new WebhookEndpoint("wh_abc", "acme", "https://hooks.example.com/mailer", List.of(), null, true, null, null,
                List.of(secret), 1, NOW, NOW, 1L);
        assertThat(endpoint.toString()).doesNotContain("MfKQ9r8").contains("redacted");
        assertThat(secret.toString()).doesNotContain("MfKQ9r8");
    }

    @Test
    void shouldWriteTenantStatesEventsAndCommandsThatMatchTheirSchemas() {
        var window = new io.mailer.schemas.reputation.WindowCounts(1204, 86, 1100, 1, NOW);
        var policy = io.mailer.schemas.reputation.ReputationPolicy.DEFAULTS;
        var paused = io.mailer.schemas.reputation.ReputationState.PAUSED;
        var state = new io.mailer.schemas.reputation.TenantState("acme", paused, 2, NOW,
                "bounce-rate 0.0714 >= 0.05 over 1204 sends", 0.0714, 0.0009, window, policy, NOW);
        assertThat(violations("tenant-state", TOPICS.tenantStates, state)).isEmpty();
        var event = new io.mailer.schemas.reputation.TenantEvent("acme:2", "acme",
                io.mailer.schemas.reputation.ReputationState.THROTTLED, paused, state.reason(), 0.0714, 0.0009, window, NOW);
        assertThat(violations("tenant-event", TOPICS.tenantEvents, event)).isEmpty();
        var resume = new io.mailer.schemas.reputation.TenantCommand("c1", "acme",
                io.mailer.schemas.reputation.TenantCommand.Type.RESUME, null, "key k1", NOW);
        assertThat(violations("tenant-command", TOPICS.tenantCommands, resume)).isEmpty();
        var setPolicy = new io.mailer.schemas.reputation.TenantCommand("c2", "acme",
                io.mailer.schemas.reputation.TenantCommand.Type.SET_POLICY, policy, "key k1", NOW);
        assertThat(violations("tenant-command", TOPICS.tenantCommands, setPolicy)).isEmpty();
        var empty = new io.mailer.schemas.reputation.TenantState("new", io.mailer.schemas.reputation.ReputationState.ACTIVE,
                0, NOW, "no events yet", 0, 0, io.mailer.schemas.reputation.WindowCounts.EMPTY, policy, NOW);
        assertThat(violations("tenant-state", TOPICS.tenantStates, empty)).isEmpty();
    }

    private static <V> Set<ValidationMessage> violations(String schemaName, Topic<String, V> topic, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        JsonSchema schema = FACTORY.getSchema(SchemaLocation.of("https://mailer.io/schemas/" + schemaName + ".schema.json"), CONFIG);
        try {
            JsonNode node = JSON2.readTree(bytes);
            // and the bytes read back to an equal record: the serde is lossless
            assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), bytes)).isEqualTo(value);
            return schema.validate(node);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
