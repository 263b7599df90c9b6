package io.mailer.topology.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.TenantCommand;
import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.reputation.TenantState;
import io.mailer.schemas.reputation.WindowCounts;
import io.mailer.topology.TopologyMetrics;
import io.mailer.topology.system.StreamsConfigFactory;
import io.mailer.topology.system.TopologyProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reputation guard as production builds and configures it (its own exactly-once application), in a TopologyTestDriver. */
class ReputationTopologyTest {

    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    final Topics topics = new Topics("test.");
    final TopologyTestDriver driver = new TopologyTestDriver(
            ReputationTopology.build(new StreamsBuilder(), topics, ReputationSettings.DEFAULTS),
            StreamsConfigFactory.reputationConfig(new TopologyProperties("unused:9092", "test.", null, 0, Duration.ofSeconds(5), 128),
                    new SimpleMeterRegistry()), T0);
    final TestInputTopic<String, DeliveryEvent> events = driver.createInputTopic(topics.deliveryEvents.name(),
            Serdes.String().serializer(), topics.deliveryEvents.valueSerde().serializer());
    final TestInputTopic<String, TenantCommand> commands = driver.createInputTopic(topics.tenantCommands.name(),
            Serdes.String().serializer(), topics.tenantCommands.valueSerde().serializer());
    final TestOutputTopic<String, TenantState> states = driver.createOutputTopic(topics.tenantStates.name(),
            Serdes.String().deserializer(), topics.tenantStates.valueSerde().deserializer());
    final TestOutputTopic<String, TenantEvent> changes = driver.createOutputTopic(topics.tenantEvents.name(),
            Serdes.String().deserializer(), topics.tenantEvents.valueSerde().deserializer());

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void shouldThrottleThenPauseATenantWhoseBounceRateCrossesAndAnnounceEachChange() {
        sends("bad", 0, 200);
        sends("good", 0, 200);
        bounces("bad", 0, 4); // 2 %: below the throttle rate
        flush();
        assertThat(changes.isEmpty()).isTrue();

        bounces("bad", 4, 1); // 5 / 200 = 2.5 %: throttled
        flush();
        bounces("bad", 5, 5); // 10 / 200 = 5 %: paused
        flush();

        List<TenantEvent> announced = changes.readValuesToList();
        assertThat(announced).extracting(TenantEvent::eventId, TenantEvent::from, TenantEvent::to).containsExactly(
                org.assertj.core.groups.Tuple.tuple("bad:1", ReputationState.ACTIVE, ReputationState.THROTTLED),
                org.assertj.core.groups.Tuple.tuple("bad:2", ReputationState.THROTTLED, ReputationState.PAUSED));
        assertThat(announced.get(1).reason()).isEqualTo("bounce-rate 0.0500 >= 0.05 over 200 sends");
        assertThat(announced.get(1).window()).isEqualTo(new WindowCounts(200, 10, 0, 0, bucketOf(T0)));

        driver.advanceWallClockTime(Duration.ofSeconds(2));
        Map<String, TenantState> latest = states.readKeyValuesToMap();
        assertThat(latest.get("bad").state()).isEqualTo(ReputationState.PAUSED);
        assertThat(latest.get("bad").bounceRate()).isEqualTo(0.05);
        assertThat(latest.get("bad").policy()).isEqualTo(ReputationPolicy.DEFAULTS);
        assertThat(latest.get("good").state()).isEqualTo(ReputationState.ACTIVE);
        assertThat(latest.get("good").window().sends()).isEqualTo(200);
    }

    @Test
    void shouldNotLetRedeliveredEventsInflateTheRates() {
        sends("t", 0, 200);
        sends("t", 0, 200); // the dispatcher's SENT again after a redelivery (same event ids)
        for (int redelivery = 0; redelivery < 3; redelivery++) {
            bounces("t", 0, 6); // SQS redelivers the same 6 SES notifications three times
            flush();
        }

        // 6 / 200 = 3 %: throttled; counted three times it would be 18 / 200 = 9 %: paused
        assertThat(changes.readValuesToList()).extracting(TenantEvent::to).containsExactly(ReputationState.THROTTLED);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(states.readKeyValuesToMap().get("t").window()).isEqualTo(new WindowCounts(200, 6, 0, 0, bucketOf(T0)));
        assertThat(counter(ReputationMetrics.DUPLICATES_DROPPED)).isEqualTo(200 + 12);
    }

    @Test
    void shouldResumeWithAFreshWindowAndTheOperatorsThresholds() {
        sends("bad", 0, 200);
        bounces("bad", 0, 30);
        flush();
        assertThat(changes.readValuesToList()).extracting(TenantEvent::to)
                .as("one flush: straight to PAUSED").containsExactly(ReputationState.PAUSED);

        ReputationPolicy lenient = new ReputationPolicy(0.4, 0.5, 0.0005, 0.001, 200, 1000, 0.25,
                ReputationPolicy.PausedSubmissions.REFUSE);
        command("bad", TenantCommand.Type.SET_POLICY, lenient);
        assertThat(changes.isEmpty()).as("a policy does not end a pause").isTrue();
        command("bad", TenantCommand.Type.RESUME, null);

        TenantEvent resumed = changes.readValue();
        assertThat(resumed.to()).isEqualTo(ReputationState.ACTIVE);
        assertThat(resumed.reason()).isEqualTo("resumed by ops@example.com (window restarted)");
        // the held sends go out again: 15 % bounces is below the operator's 40 %
        sends("bad", 200, 200);
        bounces("bad", 200, 30);
        flush();
        assertThat(changes.isEmpty()).isTrue();
        // the guard is at-least-once: the same commands read again after a crash are not applied twice
        // (a second RESUME would restart the window again and announce another change)
        command("bad", TenantCommand.Type.SET_POLICY, lenient);
        command("bad", TenantCommand.Type.RESUME, null);
        flush();
        assertThat(changes.isEmpty()).as("replayed commands: no change").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        TenantState state = states.readKeyValuesToMap().get("bad");
        assertThat(state.state()).isEqualTo(ReputationState.ACTIVE);
        assertThat(state.version()).as("paused, resumed").isEqualTo(2);
        assertThat(state.policy()).isEqualTo(lenient);
        // the window restarted at the resume: only what came after it counts
        assertThat(state.window().sends()).isEqualTo(200);
        assertThat(state.window().hardBounces()).isEqualTo(30);
    }

    @Test
    void shouldNameEveryNodeStoreAndItsOneRepartitionTopic() {
        String description = ReputationTopology.build(new StreamsBuilder(), topics, ReputationSettings.DEFAULTS)
                .describe().toString();
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-")
                .contains(ReputationStores.TENANTS, ReputationStores.EVENTS_SEEN, ReputationStores.PARTIALS, "reputation-by-tenant-repartition",
                        "tenant-states-sink", "tenant-events-sink");
    }

    @Test
    void shouldIgnoreEventsWithoutTenantAndUncountedTypes() {
        events.pipeInput("s-1", new DeliveryEvent("e1", EventType.OPENED, "s-1", "b", "t", 0, "a@x.org", T0, null, null, Map.of()), T0);
        events.pipeInput("s-2", new DeliveryEvent("e2", EventType.BOUNCED, "s-2", "b", null, 0, "a@x.org", T0, null, null, Map.of()), T0);
        events.pipeInput("s-3", null, T0); // a tombstone
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(states.isEmpty()).isTrue();
        assertThat(changes.isEmpty()).isTrue();
    }

    @Test
    void shouldSkipUnreadableRecordsAndStillCountTheNextTenantsEvents() {
        // Given records on delivery-events that are not readable events: not JSON, an array, truncated,
        // nested 10,000 deep (past the parser's depth limit), a 1 MB string where an id belongs
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(topics.deliveryEvents.name(),
                Serdes.String().serializer(), Serdes.ByteArray().serializer());
        List<String> hostile = List.of("not json", "[1,2,3]", "{\"eventId\":\"e\",\"type\":",
                "[".repeat(10_000) + "]".repeat(10_000),
                "{\"eventId\":\"" + "x".repeat(1_000_000) + "\",\"type\":\"BOUNCED\",\"details\":{\"a\":[[[{}]]]}}");
        for (String h : hostile) {
            raw.pipeInput("evil-1", h.getBytes(java.nio.charset.StandardCharsets.UTF_8), T0);
        }

        // When another tenant's sends and bounces follow them on the same topic
        sends("next", 0, 200);
        bounces("next", 0, 6);
        flush();

        // Then none of the unreadable records counted, nothing stopped, and that tenant's 3 % was
        // counted and throttled as usual
        assertThat(changes.readValuesToList()).extracting(TenantEvent::tenantId, TenantEvent::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("next", ReputationState.THROTTLED));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        Map<String, TenantState> latest = states.readKeyValuesToMap();
        assertThat(latest).containsOnlyKeys("next");
        assertThat(latest.get("next").window()).isEqualTo(new WindowCounts(200, 6, 0, 0, bucketOf(T0)));
        // the guard's reader took them as "not counted", not as deserialization errors for the skip handler
        assertThat(driver.metrics().entrySet().stream().filter(e -> e.getKey().name().equals("dropped-records-total"))
                .mapToDouble(e -> ((Number) ((Metric) e.getValue()).metricValue()).doubleValue()).sum()).isZero();
    }

    /** The counter forwards its partial windows every 200 ms of wall-clock time. */
    private void flush() {
        driver.advanceWallClockTime(Duration.ofMillis(200));
    }

    private void sends(String tenant, int from, int count) {
        for (int i = from; i < from + count; i++) {
            String sendId = Ids.sendId("bat_" + tenant, i);
            events.pipeInput(sendId, new DeliveryEvent(Ids.pipelineEventId(sendId, EventType.SENT), EventType.SENT, sendId,
                    "bat_" + tenant, tenant, i, "r" + i + "@example.com", T0, "ses-" + i, null, Map.of()), T0);
        }
    }

    private void bounces(String tenant, int from, int count) {
        for (int i = from; i < from + count; i++) {
            String sendId = Ids.sendId("bat_" + tenant, i);
            events.pipeInput(sendId, new DeliveryEvent(Ids.sesEventId("ses-" + i, "Bounce", "r" + i + "@example.com"),
                    EventType.BOUNCED, sendId, "bat_" + tenant, tenant, i, "r" + i + "@example.com", T0, "ses-" + i,
                    "Permanent/General", Map.of("bounceType", "Permanent")), T0);
        }
    }

    private void command(String tenant, TenantCommand.Type type, ReputationPolicy policy) {
        commands.pipeInput(tenant, new TenantCommand("cmd-" + type, tenant, type, policy, "ops@example.com", T0), T0);
    }

    private static Instant bucketOf(Instant at) {
        long bucket = ReputationSettings.DEFAULTS.bucketMillis();
        return Instant.ofEpochMilli(at.toEpochMilli() - Math.floorMod(at.toEpochMilli(), bucket));
    }

    private double counter(String operation) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-" + TopologyMetrics.SCOPE + "-metrics")
                        && e.getKey().name().equals(operation + "-total"))
                .mapToDouble(e -> ((Number) ((Metric) e.getValue()).metricValue()).doubleValue())
                .sum();
    }
}
