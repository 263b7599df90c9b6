package io.mailer.topology.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.WindowCounts;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The window and policy math without Kafka. */
class ReputationWindowTest {

    static final long T0 = Instant.parse("2026-12-02T00:00:00Z").toEpochMilli();
    static final ReputationSettings SETTINGS = ReputationSettings.DEFAULTS; // 24 h in 96 buckets of 15 min, 10,000 sends

    @Test
    void shouldCountHardBouncesPerSendAndComplaintsPerDelivery() {
        ReputationWindow w = new ReputationWindow();
        add(w, ReputationWindow.Kind.SEND, 400, T0);
        add(w, ReputationWindow.Kind.HARD_BOUNCE, 20, T0);
        add(w, ReputationWindow.Kind.DELIVERY, 380, T0);
        add(w, ReputationWindow.Kind.COMPLAINT, 1, T0);

        WindowCounts c = w.counts(T0, SETTINGS);

        assertThat(c).isEqualTo(new WindowCounts(400, 20, 380, 1, Instant.ofEpochMilli(T0)));
        assertThat(c.bounceRate()).isEqualTo(0.05);
        assertThat(c.complaintRate()).isEqualTo(1.0 / 380);
    }

    @Test
    void shouldCountASendSesAnsweredForBeforeItsSentEventArrives() {
        // the dispatcher writes SENT events when its whole poll is done; SES's notifications can be first
        ReputationWindow w = new ReputationWindow();
        add(w, ReputationWindow.Kind.SEND, 120, T0);
        add(w, ReputationWindow.Kind.HARD_BOUNCE, 30, T0);
        add(w, ReputationWindow.Kind.DELIVERY, 170, T0);

        WindowCounts c = w.counts(T0, SETTINGS);

        assertThat(c.sends()).isEqualTo(200);
        assertThat(c.bounceRate()).isEqualTo(0.15);
    }

    @Test
    void shouldForgetBucketsOlderThanTheWindow() {
        ReputationWindow w = new ReputationWindow();
        add(w, ReputationWindow.Kind.SEND, 100, T0);
        add(w, ReputationWindow.Kind.HARD_BOUNCE, 50, T0);
        // a bucket counts until its end is older than the window: 24 h after T0 + 15 min
        long dayLater = T0 + Duration.ofHours(24).plusMinutes(15).toMillis();
        add(w, ReputationWindow.Kind.SEND, 10, dayLater);

        // the first bucket ended 24 h ago: only the new sends count, and the old bucket is gone
        assertThat(w.counts(dayLater, SETTINGS)).isEqualTo(new WindowCounts(10, 0, 0, 0, Instant.ofEpochMilli(dayLater)));
        assertThat(w.buckets()).hasSize(1);
    }

    @Test
    void shouldLookBackOnlyAtTheLastWindowSendsScalingTheOldestBucket() {
        ReputationSettings small = new ReputationSettings(Duration.ofHours(24), 1000, 96, Duration.ofHours(6),
                Duration.ofSeconds(1), ReputationPolicy.DEFAULTS);
        ReputationWindow w = new ReputationWindow();
        // an old bucket of a bad list: 1,000 sends, 300 bounces; then a clean one of 600 sends
        add(w, ReputationWindow.Kind.SEND, 1000, T0);
        add(w, ReputationWindow.Kind.HARD_BOUNCE, 300, T0);
        long later = T0 + Duration.ofMinutes(30).toMillis();
        add(w, ReputationWindow.Kind.SEND, 600, later);

        WindowCounts c = w.counts(later, small);

        // 600 of the clean bucket + 400 of the old one (40 % of it: 120 of its bounces)
        assertThat(c).isEqualTo(new WindowCounts(1000, 120, 0, 0, Instant.ofEpochMilli(T0)));
    }

    @Test
    void shouldKeepAtMostBucketsPlusOneWhateverTheTenantSends() {
        ReputationWindow w = new ReputationWindow();
        for (int minute = 0; minute < 3 * 24 * 60; minute += 5) {
            add(w, ReputationWindow.Kind.SEND, 1, T0 + Duration.ofMinutes(minute).toMillis());
        }
        assertThat(w.buckets().size()).isLessThanOrEqualTo(SETTINGS.buckets() + 1);
    }

    @Test
    void shouldThrottleThenPauseOnBounceRateOnlyWithEnoughSends() {
        ReputationPolicy p = ReputationPolicy.DEFAULTS; // throttle 2.5 %, pause 5 %, min 200 sends
        assertThat(ReputationRules.decide(ReputationState.ACTIVE, counts(199, 199, 0, 0), p))
                .as("199 sends are no evidence, even all bounced").isNull();
        assertThat(ReputationRules.decide(ReputationState.ACTIVE, counts(200, 5, 0, 0), p).state())
                .isEqualTo(ReputationState.THROTTLED);
        assertThat(ReputationRules.decide(ReputationState.THROTTLED, counts(200, 5, 0, 0), p)).isNull();
        ReputationRules.Decision pause = ReputationRules.decide(ReputationState.THROTTLED, counts(200, 10, 0, 0), p);
        assertThat(pause.state()).isEqualTo(ReputationState.PAUSED);
        assertThat(pause.reason()).isEqualTo("bounce-rate 0.0500 >= 0.05 over 200 sends");
        assertThat(ReputationRules.decide(ReputationState.ACTIVE, counts(1000, 0, 0, 0), p)).isNull();
    }

    @Test
    void shouldPauseOnComplaintsPerDelivery() {
        ReputationPolicy p = ReputationPolicy.DEFAULTS; // throttle 0.05 %, pause 0.1 %, min 1,000 deliveries
        assertThat(ReputationRules.decide(ReputationState.ACTIVE, counts(999, 0, 999, 5), p)).isNull();
        assertThat(ReputationRules.decide(ReputationState.ACTIVE, counts(2000, 0, 2000, 1), p).state())
                .isEqualTo(ReputationState.THROTTLED);
        assertThat(ReputationRules.decide(ReputationState.ACTIVE, counts(2000, 0, 2000, 2), p).state())
                .isEqualTo(ReputationState.PAUSED);
    }

    @Test
    void shouldLeaveThrottleOnlyBelowEightyPercentAndNeverLeavePauseByRates() {
        ReputationPolicy p = ReputationPolicy.DEFAULTS;
        assertThat(ReputationRules.decide(ReputationState.THROTTLED, counts(1000, 21, 0, 0), p))
                .as("2.1 % is below 2.5 % but above 80 % of it").isNull();
        assertThat(ReputationRules.decide(ReputationState.THROTTLED, counts(1000, 19, 0, 0), p).state())
                .isEqualTo(ReputationState.ACTIVE);
        assertThat(ReputationRules.decide(ReputationState.PAUSED, counts(100_000, 0, 0, 0), p)).isNull();
    }

    @Test
    void shouldStoreBucketsAsArraysAndStillReadBucketsStoredAsObjects() {
        var serde = new io.mailer.schemas.kafka.JsonSerde<>(GuardedTenant.Partial.class);
        ReputationWindow w = new ReputationWindow();
        add(w, ReputationWindow.Kind.SEND, 3, T0);
        add(w, ReputationWindow.Kind.HARD_BOUNCE, 1, T0);

        byte[] stored = serde.serialize("t", new GuardedTenant.Partial(w.buckets()));
        String before = "{\"buckets\":[{\"start\":" + T0 + ",\"sends\":3,\"hardBounces\":1,\"deliveries\":0,\"complaints\":0}]}";

        assertThat(new String(stored, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"buckets\":[[" + T0 + ",3,1,0,0]]}");
        for (byte[] bytes : java.util.List.of(stored, before.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            ReputationWindow read = new ReputationWindow(serde.deserialize("t", bytes).buckets());
            assertThat(read.counts(T0, SETTINGS)).isEqualTo(new WindowCounts(3, 1, 0, 0, Instant.ofEpochMilli(T0)));
        }
    }

    private static WindowCounts counts(long sends, long bounces, long deliveries, long complaints) {
        return new WindowCounts(sends, bounces, deliveries, complaints, null);
    }

    private static void add(ReputationWindow w, ReputationWindow.Kind kind, int times, long at) {
        for (int i = 0; i < times; i++) {
            w.add(kind, at, SETTINGS);
        }
    }
}
