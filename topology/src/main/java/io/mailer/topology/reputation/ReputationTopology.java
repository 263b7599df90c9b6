package io.mailer.topology.reputation;

import io.mailer.schemas.kafka.JsonSerde;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.reputation.TenantCommand;
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
 * The reputation guard, in two stages: a counter where the events are (dedupe by event id, a
 * partial window per tenant and partition, flushed every 200 ms) and the guard per tenant (partials
 * added up, policy, state). Only partial windows cross the repartition topic — one record per
 * tenant and partition per flush, whatever the send rate. Its own Kafka Streams application
 * ({@code <prefix>reputation}) inside the topology service, so the fan-out's load (a
 * million-recipient batch) never delays it:
 *
 * <pre>
 * delivery-events ─▶ counted? (SENT, BOUNCED, DELIVERED, COMPLAINED with a tenant)
 *   ─▶ counter (stores: events seen, partials; every 200 ms the changed partials, key tenant)
 *   ─▶ repartition "reputation-by-tenant" ───────────────┐
 * tenant-commands (key tenant) ─▶ RESUME, SET_POLICY ───┴▶ merge
 *   ─▶ guard (store: tenants; wall-clock punctuator publishes moving rates)
 *        ┬─ state ─▶ tenant-states (compacted)
 *        └─ state change ─▶ tenant-events
 * </pre>
 */
public final class ReputationTopology {

    private ReputationTopology() {
    }

    public static Topology build(StreamsBuilder builder, Topics topics, ReputationSettings settings) {
        builder.addStateStore(ReputationStores.tenants());
        builder.addStateStore(ReputationStores.partials());
        builder.addStateStore(ReputationStores.eventsSeen(settings.dedupeHorizon()));
        JsonSerde<ReputationInput> inputSerde = new JsonSerde<>(ReputationInput.class);

        KStream<String, ReputationInput> partials = builder
                // only the fields counted are read (CountedEvent): the whole DeliveryEvent cost more than the counting
                .stream(topics.deliveryEvents.name(), Consumed.with(Serdes.String(), Serdes.serdeFrom(
                                new JsonSerde<>(CountedEvent.class).serializer(), (topic, data) -> CountedEvent.read(data)))
                        .withName("reputation-delivery-events-source"))
                .processValues(() -> new TimestampedInput<CountedEvent>(ReputationInput::of), Named.as("reputation-count-event"))
                .filter((key, in) -> in != null, Named.as("reputation-counted"))
                .process(() -> new ReputationCounter(settings, new ReputationMetrics()), Named.as("reputation-counter"),
                        ReputationStores.EVENTS_SEEN, ReputationStores.PARTIALS);
        KStream<String, ReputationInput> commands = builder
                .stream(topics.tenantCommands.name(), Consumed.with(Serdes.String(), new LenientSerde<>(topics.tenantCommands.valueSerde()))
                        .withName("reputation-tenant-commands-source"))
                .processValues(() -> new TimestampedInput<TenantCommand>(ReputationInput::of), Named.as("reputation-read-command"))
                // ingress keys commands by tenant id: co-partitioned with the repartition topic, no second hop
                .filter((key, in) -> in != null && in.tenantId().equals(key), Named.as("reputation-valid-command"));

        // the counter's tasks read delivery-events alone: no second input to wait for
        var outputs = partials
                .repartition(Repartitioned.<String, ReputationInput>as("reputation-by-tenant")
                        .withKeySerde(Serdes.String()).withValueSerde(inputSerde))
                .merge(commands, Named.as("reputation-inputs"))
                .process(() -> new ReputationGuard(settings, new ReputationMetrics()), Named.as("reputation-guard"),
                        ReputationStores.TENANTS)
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
