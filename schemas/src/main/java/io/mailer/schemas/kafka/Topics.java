package io.mailer.schemas.kafka;

import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.limits.RecordBudget;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookDelivery;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookMessage;
import java.util.ArrayList;
import io.mailer.schemas.reputation.TenantCommand;
import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.reputation.TenantState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one registry of topics: producers, the topology, consumers and tests all take names and
 * serdes from here. Names are {@code MAILER_TOPIC_PREFIX} + a fixed kebab-case name.
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "mailer.";

    private final String prefix;
    public final Topic<String, BatchCommand> batchCommands;
    public final Topic<String, SendRequest> sends;
    public final Topic<String, SendRequest> sendsDlt;
    public final Topic<String, Suppression> suppressions;
    public final Topic<String, DeliveryEvent> deliveryEvents;
    public final Topic<String, BatchCancellation> batchCancellations;
    /** Dead letters and quarantine keep the original bytes, so their values are raw. */
    public final Topic<String, byte[]> batchCommandsDlt;
    public final Topic<String, byte[]> feedbackQuarantine;
    public final Topic<String, byte[]> projectorDlt;
    /**
     * The dispatcher's send ledger, keyed by send id, value = the SES message id of the accepted
     * message: a redelivered send found here is not sent again. Compacted.
     */
    public final Topic<String, String> sendsLedger;
    /** Delay tiers of the dispatcher's retries (values are the send requests, delayed by the tier). */
    public final Topic<String, SendRequest> sendsRetry1s;
    public final Topic<String, SendRequest> sendsRetry10s;
    public final Topic<String, SendRequest> sendsRetry1m;
    public final Topic<String, SendRequest> sendsRetry10m;
    /** Webhook endpoints by id (ingress writes, the relay follows; tombstone = deleted). Compacted. */
    public final Topic<String, WebhookEndpoint> webhookEndpoints;
    /** Test and replay requests for the relay, keyed by endpoint id. */
    public final Topic<String, WebhookCommand> webhookCommands;
    /** The relay's record of every attempt, keyed by endpoint id; projected into {@code webhook_delivery}. */
    public final Topic<String, WebhookDelivery> webhookDeliveries;
    /** Delay tiers of the webhook relay's retries, keyed by send id, shortest first. */
    public final List<Topic<String, WebhookMessage>> webhookRetries;
    /** Operator instructions to the reputation guard (resume, policy), keyed by tenant id. */
    public final Topic<String, TenantCommand> tenantCommands;
    /** The reputation guard's current state per tenant, keyed by tenant id. Compacted. */
    public final Topic<String, TenantState> tenantStates;
    /** Public: one record per tenant state change, keyed by tenant id. */
    public final Topic<String, TenantEvent> tenantEvents;
    /**
     * Sends of PAUSED tenants, parked by the dispatcher, keyed by tenant id (a tenant's held sends
     * stay in one partition, in order); released to {@code sends} when the tenant is resumed.
     */
    public final Topic<String, SendRequest> sendsHeld;

    public Topics(String prefix) {
        this.prefix = prefix == null ? DEFAULT_PREFIX : prefix;
        Serde<String> keys = Serdes.String();
        batchCommands = new Topic<>(name("batch-commands"), keys, new JsonSerde<>(BatchCommand.class), false);
        sends = new Topic<>(name("sends"), keys, new JsonSerde<>(SendRequest.class), false);
        sendsDlt = new Topic<>(name("sends-dlt"), keys, new JsonSerde<>(SendRequest.class), false);
        suppressions = new Topic<>(name("suppressions"), keys, new JsonSerde<>(Suppression.class), true);
        deliveryEvents = new Topic<>(name("delivery-events"), keys, new JsonSerde<>(DeliveryEvent.class), false);
        batchCancellations = new Topic<>(name("batch-cancellations"), keys, new JsonSerde<>(BatchCancellation.class), true);
        batchCommandsDlt = new Topic<>(name("batch-commands-dlt"), keys, Serdes.ByteArray(), false);
        feedbackQuarantine = new Topic<>(name("feedback-quarantine"), keys, Serdes.ByteArray(), false);
        projectorDlt = new Topic<>(name("projector-dlt"), keys, Serdes.ByteArray(), false);
        sendsLedger = new Topic<>(name("sends-ledger"), keys, Serdes.String(), true);
        sendsRetry1s = new Topic<>(name("sends-retry-1s"), keys, new JsonSerde<>(SendRequest.class), false);
        sendsRetry10s = new Topic<>(name("sends-retry-10s"), keys, new JsonSerde<>(SendRequest.class), false);
        sendsRetry1m = new Topic<>(name("sends-retry-1m"), keys, new JsonSerde<>(SendRequest.class), false);
        sendsRetry10m = new Topic<>(name("sends-retry-10m"), keys, new JsonSerde<>(SendRequest.class), false);
        webhookEndpoints = new Topic<>(name("webhook-endpoints"), keys, new JsonSerde<>(WebhookEndpoint.class), true);
        webhookCommands = new Topic<>(name("webhook-commands"), keys, new JsonSerde<>(WebhookCommand.class), false);
        webhookDeliveries = new Topic<>(name("webhook-deliveries"), keys, new JsonSerde<>(WebhookDelivery.class), false);
        webhookRetries = WEBHOOK_RETRY_TIERS.stream()
                .map(t -> new Topic<>(name("webhook-retry-" + t), keys, new JsonSerde<>(WebhookMessage.class), false))
                .toList();
        tenantCommands = new Topic<>(name("tenant-commands"), keys, new JsonSerde<>(TenantCommand.class), false);
        tenantStates = new Topic<>(name("tenant-states"), keys, new JsonSerde<>(TenantState.class), true);
        tenantEvents = new Topic<>(name("tenant-events"), keys, new JsonSerde<>(TenantEvent.class), false);
        sendsHeld = new Topic<>(name("sends-held"), keys, new JsonSerde<>(SendRequest.class), false);
    }

    /** The names of the webhook relay's delay tiers; their delays are the relay's (WebhookRetrySchedule). */
    public static final List<String> WEBHOOK_RETRY_TIERS = List.of("10s", "1m", "10m", "1h", "3h", "8h");

    public String prefix() {
        return prefix;
    }

    public String name(String shortName) {
        return prefix + shortName;
    }

    public List<Topic<String, ?>> all() {
        List<Topic<String, ?>> all = new ArrayList<>(List.of(batchCommands, sends, sendsDlt, suppressions, deliveryEvents,
                batchCancellations, batchCommandsDlt, feedbackQuarantine, projectorDlt, sendsLedger, sendsRetry1s,
                sendsRetry10s, sendsRetry1m, sendsRetry10m, webhookEndpoints, webhookCommands, webhookDeliveries,
                tenantCommands, tenantStates, tenantEvents, sendsHeld));
        all.addAll(webhookRetries);
        return List.copyOf(all);
    }

    /** The dispatcher's retry tiers, shortest delay first. */
    public List<Topic<String, SendRequest>> sendsRetries() {
        return List.of(sendsRetry1s, sendsRetry10s, sendsRetry1m, sendsRetry10m);
    }

    /**
     * Topic definitions for {@code Admin.createTopics}: the given partition count, the broker's
     * default replication factor, compaction where the topic is a changelog of current state, and
     * {@code max.message.bytes} = {@link RecordBudget#KAFKA_MAX_BYTES} on every topic, so the
     * record budget does not depend on the broker's default.
     */
    /**
     * Compacted topics that also expire (compact,delete), as the chart declares them: the ledger is
     * read back only for sends not yet committed at a takeover (7 days outlasts any outage); a
     * cancellation matters while the batch's sends can still arrive (30 days of scheduling + retries).
     */
    public Map<String, Long> compactedRetention() {
        return Map.of(sendsLedger.name(), java.time.Duration.ofDays(7).toMillis(),
                batchCancellations.name(), java.time.Duration.ofDays(32).toMillis());
    }

    /**
     * Delete-only topics whose retention must not be the broker's default: held sends wait for an
     * operator's resume, which may take longer than a default week (32 days, as cancellations).
     */
    public Map<String, Long> deleteRetention() {
        return Map.of(sendsHeld.name(), java.time.Duration.ofDays(32).toMillis());
    }

    public List<NewTopic> newTopics(int partitions) {
        return all().stream().map(t -> {
            Map<String, String> configs = new HashMap<>();
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(RecordBudget.KAFKA_MAX_BYTES));
            Long retention = compactedRetention().get(t.name());
            if (t.compacted() && retention != null) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE);
                configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention));
            } else if (t.compacted()) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            } else if (deleteRetention().containsKey(t.name())) {
                configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(deleteRetention().get(t.name())));
            }
            return new NewTopic(t.name(), Optional.of(partitions), Optional.empty()).configs(Map.copyOf(configs));
        }).toList();
    }
}
