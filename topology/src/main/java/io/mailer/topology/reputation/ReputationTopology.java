package io.mailer.topology.reputation;

import io.mailer.schemas.kafka.JsonSerde;
import io.mailer.schemas.kafka.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The reputation guard: its own Kafka Streams application ({@code <prefix>reputation}) inside the
 * topology service, so the fan-out's load (a million-recipient batch) never delays it, and it
 * commits every 100 ms (the fan-out every 1 s, for throughput) — a crossing reaches the dispatcher
 * in a few hundred milliseconds:
 *
 * <pre>
 * delivery-events ─▶ counted? (SENT, BOUNCED, DELIVERED, COMPLAINED with a tenant) ─┐
 * tenant-commands ─▶ (RESUME, SET_POLICY) ──────────────────────────────────────────┴▶ merge
 *   ─▶ key = tenant id ─▶ repartition "reputation-by-tenant"
 *   ─▶ reputation guard (stores: tenants, events seen; wall-clock punctuator publishes moving rates)
 *        ┬─ state ─▶ tenant-states (compacted)
 *        └─ state change ─▶ tenant-events
 * </pre>
 *
 * Only the counted fields cross the repartition topic ({@link ReputationInput}), not whole events.
 */
public final class ReputationTopology {

    private ReputationTopology() {
    }

    public static Topology build(StreamsBuilder builder, Topics topics, ReputationSettings settings) {
        builder.addStateStore(ReputationStores.tenants());
        builder.addStateStore(ReputationStores.eventsSeen(settings.dedupeHorizon()));
        JsonSerde<ReputationInput> inputSerde = new JsonSerde<>(ReputationInput.class);

        KStream<String, ReputationInput> events = builder
                .stream(topics.deliveryEvents.name(), Consumed.with(Serdes.String(), new LenientSerde<>(topics.deliveryEvents.valueSerde()))
                        .withName("reputation-delivery-events-source"))
                .processValues(() -> new TimestampedInput<io.mailer.schemas.events.DeliveryEvent>(ReputationInput::of), Named.as("reputation-count-event"));
        KStream<String, ReputationInput> commands = builder
                .stream(topics.tenantCommands.name(), Consumed.with(Serdes.String(), new LenientSerde<>(topics.tenantCommands.valueSerde()))
                        .withName("reputation-tenant-commands-source"))
                .processValues(() -> new TimestampedInput<io.mailer.schemas.reputation.TenantCommand>(ReputationInput::of), Named.as("reputation-read-command"));

        var outputs = events.merge(commands, Named.as("reputation-inputs"))
                .filter((key, in) -> in != null, Named.as("reputation-counted"))
                .selectKey((key, in) -> in.tenantId(), Named.as("reputation-key-by-tenant"))
                .repartition(Repartitioned.<String, ReputationInput>as("reputation-by-tenant")
                        .withKeySerde(Serdes.String()).withValueSerde(inputSerde))
                .process(() -> new ReputationGuard(settings, new ReputationMetrics()), Named.as("reputation-guard"),
                        ReputationStores.TENANTS, ReputationStores.EVENTS_SEEN)
                .split(Named.as("reputation-output"))
                .branch((tenant, out) -> out.event() != null, Branched.as("-event"))
                .defaultBranch(Branched.as("-state"));
        outputs.get("reputation-output-event")
                .mapValues(ReputationOutput::event, Named.as("reputation-tenant-event"))
                .to(topics.tenantEvents.name(), Produced.with(Serdes.String(), topics.tenantEvents.valueSerde())
                        .withName("tenant-events-sink"));
        outputs.get("reputation-output-state")
                .mapValues(ReputationOutput::state, Named.as("reputation-tenant-state"))
                .to(topics.tenantStates.name(), Produced.with(Serdes.String(), topics.tenantStates.valueSerde())
                        .withName("tenant-states-sink"));
        return builder.build();
    }
}
