package io.mailer.topology;

import static io.mailer.topology.TopologyFixture.SUBMITTED;
import static io.mailer.topology.TopologyFixture.WRITTEN;
import static io.mailer.topology.TopologyFixture.expectedEvent;
import static io.mailer.topology.TopologyFixture.expectedSend;
import static io.mailer.topology.TopologyFixture.scheduled;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Suppression;
import io.mailer.topology.intake.DeadLetters;
import io.mailer.topology.outcome.PipelineOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test driver's wall clock starts at {@link TopologyFixture#SUBMITTED}; chunks are written at {@code WRITTEN}. */
class SchedulingTopologyTest {

    private static final Instant IN_ONE_HOUR = SUBMITTED.plus(Duration.ofHours(1));

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldHoldAScheduledBatchUntilSendAtAndThenReleaseItScreenedAgainstCurrentSuppressions() {
        // Given a batch of two chunks to be sent in one hour
        fixture.submitScheduled(IN_ONE_HOUR, "acme", "b1", 0, "ann@example.com", "ben@example.com");
        fixture.submitScheduled(IN_ONE_HOUR, "acme", "b1", 2, "cid@example.com");

        // When 59 minutes pass, nothing has gone out
        fixture.driver.advanceWallClockTime(Duration.ofMinutes(59));
        assertThat(fixture.sends.isEmpty()).isTrue();
        assertThat(fixture.events.isEmpty()).isTrue();

        // and ben unsubscribes while the batch waits; then the hour is up
        fixture.suppress("acme", "ben@example.com", Suppression.Reason.UNSUBSCRIBE);
        fixture.driver.advanceWallClockTime(Duration.ofMinutes(1));

        // Then the whole batch is released once, screened against the suppressions of release time
        var message = scheduled(IN_ONE_HOUR);
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend(message, "acme", "b1", 0, "ann@example.com")),
                KeyValue.pair("b1-2", expectedSend(message, "acme", "b1", 2, "cid@example.com")));
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-1", expectedEvent(EventType.SUPPRESSED, message, "acme", "b1", 1, "ben@example.com",
                        IN_ONE_HOUR, "suppressed:UNSUBSCRIBE")));
        // and later punctuations release nothing more
        fixture.driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(fixture.sends.isEmpty()).isTrue();
        assertThat(fixture.counter(TopologyMetrics.CHUNKS_SCHEDULED)).isEqualTo(2.0);
        assertThat(fixture.counter(TopologyMetrics.CHUNKS_RELEASED)).isEqualTo(2.0);
    }

    @Test
    void shouldCancelEveryRecipientOfAScheduledBatchAndNeverReleaseIt() {
        // Given a batch scheduled in one hour, and another scheduled batch that stays
        fixture.submitScheduled(IN_ONE_HOUR, "acme", "b1", 0, "ann@example.com", "ben@example.com");
        fixture.submitScheduled(IN_ONE_HOUR, "acme", "b2", 0, "ann@example.com");

        // When b1 is cancelled ten minutes later, then the hour passes
        Instant cancelledAt = SUBMITTED.plus(Duration.ofMinutes(10));
        fixture.driver.advanceWallClockTime(Duration.ofMinutes(10));
        fixture.cancel("acme", "b1", cancelledAt);
        fixture.driver.advanceWallClockTime(Duration.ofMinutes(50));

        // Then b1's recipients are CANCELLED at the cancel's time, none is sent; b2 goes out as planned
        var message = scheduled(IN_ONE_HOUR);
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedEvent(EventType.CANCELLED, message, "acme", "b1", 0, "ann@example.com",
                        cancelledAt, PipelineOutcome.CANCELLED_REASON)),
                KeyValue.pair("b1-1", expectedEvent(EventType.CANCELLED, message, "acme", "b1", 1, "ben@example.com",
                        cancelledAt, PipelineOutcome.CANCELLED_REASON)));
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b2-0", expectedSend(message, "acme", "b2", 0, "ann@example.com")));
    }

    @Test
    void shouldSendABatchWhoseSendAtIsInThePastAtOnce() {
        // Given / When a batch whose sendAt passed a minute ago
        Instant aMinuteAgo = SUBMITTED.minus(Duration.ofMinutes(1));
        fixture.submitScheduled(aMinuteAgo, "acme", "b1", 0, "ann@example.com");

        // Then it is sent without waiting for a punctuation
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend(scheduled(aMinuteAgo), "acme", "b1", 0, "ann@example.com")));
        assertThat(fixture.events.isEmpty()).isTrue();
        assertThat(fixture.counter(TopologyMetrics.CHUNKS_SCHEDULED)).isZero();
    }

    @Test
    void shouldDeadLetterAChunkScheduledMoreThanThirtyDaysAhead() {
        // Given / When a chunk whose sendAt is 30 days and 1 minute after it was written
        fixture.submitScheduled(WRITTEN.plus(Duration.ofDays(30)).plusSeconds(60), "acme", "b1", 0, "ann@example.com");

        // Then it is dead-lettered with the reason, and nothing is held or sent
        var dead = fixture.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader(DeadLetters.EXCEPTION_MESSAGE).value(),
                StandardCharsets.UTF_8)).isEqualTo("sendAt is more than 30 days ahead");
        fixture.driver.advanceWallClockTime(Duration.ofDays(31));
        assertThat(fixture.sends.isEmpty()).isTrue();
        assertThat(fixture.events.isEmpty()).isTrue();
    }
}
