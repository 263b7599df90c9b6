package io.mailer.topology;

import static io.mailer.topology.TopologyFixture.WRITTEN;
import static io.mailer.topology.TopologyFixture.expectedSend;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Suppression;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SuppressionTopologyTest {

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldEmitOnlySuppressedEventForSuppressedRecipient() {
        // Given ben hard-bounced earlier for tenant acme
        fixture.suppress("acme", "ben@example.com", Suppression.Reason.BOUNCE);

        // When a chunk names ann (index 0) and ben (index 1)
        fixture.submit("acme", "b1", 0, "ann@example.com", "ben@example.com");

        // Then ann is sent, ben gets a SUPPRESSED event instead of a send
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend("acme", "b1", 0, "ann@example.com")));
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-1", suppressed("acme", "b1", 1, "ben@example.com", "suppressed:BOUNCE")));
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
        assertThat(fixture.counter(TopologyMetrics.RECIPIENTS_SUPPRESSED)).isEqualTo(1.0);
    }

    @Test
    void shouldMatchSuppressionWhateverTheCaseOfTheAddress() {
        // Given the suppression was written for a mixed-case spelling
        fixture.suppress("acme", "Bob@Example.COM", Suppression.Reason.COMPLAINT);

        // When the chunk spells the address in lower and upper case
        fixture.submit("acme", "b2", 0, "bob@example.com", "BOB@EXAMPLE.COM");

        // Then both spellings are suppressed; the event keeps the address as submitted
        assertThat(fixture.sends.isEmpty()).isTrue();
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b2-0", suppressed("acme", "b2", 0, "bob@example.com", "suppressed:COMPLAINT")),
                KeyValue.pair("b2-1", suppressed("acme", "b2", 1, "BOB@EXAMPLE.COM", "suppressed:COMPLAINT")));
    }

    @Test
    void shouldSendAgainOnceSuppressionIsRemovedByTombstone() {
        // Given ben was suppressed, then the suppression was deleted (tombstone)
        fixture.suppress("acme", "ben@example.com", Suppression.Reason.MANUAL);
        fixture.unsuppress("acme", "ben@example.com");

        // When
        fixture.submit("acme", "b3", 0, "ben@example.com");

        // Then ben is sent to, and no event is written
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b3-0", expectedSend("acme", "b3", 0, "ben@example.com")));
        assertThat(fixture.events.isEmpty()).isTrue();
    }

    @Test
    void shouldNotApplyOneTenantsSuppressionToAnotherTenant() {
        // Given tenant-a suppressed ben; tenant-b did not
        fixture.suppress("tenant-a", "ben@example.com", Suppression.Reason.UNSUBSCRIBE);

        // When both tenants send to ben
        fixture.submit("tenant-b", "bb", 0, "ben@example.com");
        fixture.submit("tenant-a", "ba", 0, "ben@example.com");

        // Then only tenant-a's send is suppressed
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("bb-0", expectedSend("tenant-b", "bb", 0, "ben@example.com")));
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("ba-0", suppressed("tenant-a", "ba", 0, "ben@example.com", "suppressed:UNSUBSCRIBE")));
    }

    @Test
    void shouldApplyTheOperatorWideListToEveryTenant() {
        // Given the operator suppressed ben for everyone (tenant "*"), and tenant-a suppressed cid itself
        fixture.suppress(Suppression.OPERATOR_WIDE_TENANT, "Ben@Example.com", Suppression.Reason.COMPLAINT);
        fixture.suppress("tenant-a", "cid@example.com", Suppression.Reason.BOUNCE);

        // When two tenants send to ann, ben and cid
        fixture.submit("tenant-a", "ba", 0, "ann@example.com", "ben@example.com", "cid@example.com");
        fixture.submit("tenant-b", "bb", 0, "ann@example.com", "ben@example.com", "cid@example.com");

        // Then ben is suppressed for both tenants, cid only for tenant-a, ann is sent by both
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("ba-0", expectedSend("tenant-a", "ba", 0, "ann@example.com")),
                KeyValue.pair("bb-0", expectedSend("tenant-b", "bb", 0, "ann@example.com")),
                KeyValue.pair("bb-2", expectedSend("tenant-b", "bb", 2, "cid@example.com")));
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("ba-1", suppressed("tenant-a", "ba", 1, "ben@example.com", "suppressed:COMPLAINT")),
                KeyValue.pair("ba-2", suppressed("tenant-a", "ba", 2, "cid@example.com", "suppressed:BOUNCE")),
                KeyValue.pair("bb-1", suppressed("tenant-b", "bb", 1, "ben@example.com", "suppressed:COMPLAINT")));
    }

    @Test
    void shouldTreatUnreadableSuppressionAsSuppressedAndKeepReadingSuppressions() {
        // Given a corrupt suppression record for ben, then a good one for cid
        fixture.rawSuppressions.pipeInput(Suppression.key("acme", "ben@example.com"),
                "{not json".getBytes(StandardCharsets.UTF_8));
        fixture.suppress("acme", "cid@example.com", Suppression.Reason.BOUNCE);

        // When
        fixture.submit("acme", "b4", 0, "ben@example.com", "cid@example.com", "dee@example.com");

        // Then the key alone suppresses ben (reason unknown), cid's suppression still applied
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b4-2", expectedSend("acme", "b4", 2, "dee@example.com")));
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b4-0", suppressed("acme", "b4", 0, "ben@example.com", "suppressed:UNKNOWN")),
                KeyValue.pair("b4-1", suppressed("acme", "b4", 1, "cid@example.com", "suppressed:BOUNCE")));
    }

    private static DeliveryEvent suppressed(String tenant, String batchId, int index, String email, String reason) {
        return DeliveryEvent.pipelineOutcome(EventType.SUPPRESSED, expectedSend(tenant, batchId, index, email),
                WRITTEN, null, reason);
    }
}
