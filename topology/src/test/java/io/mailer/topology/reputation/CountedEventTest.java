package io.mailer.topology.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CountedEventTest {

    @Test
    void shouldReadTheThreeCountedFieldsOfADeliveryEventAsWritten() throws Exception {
        // a whole event as the dispatcher and the feedback service write it: nested objects, arrays,
        // numbers and nulls around the three fields
        DeliveryEvent event = new DeliveryEvent("b-1-7:BOUNCED", EventType.BOUNCED, "b-1-7", "b-1", "acme", 7,
                "r@example.com", Instant.parse("2026-12-03T10:00:00Z"), "ses-1", "Permanent:General",
                Map.of("bounceType", "Permanent", "type", "nested-looking"), Map.of("campaign", "winter"),
                Map.of("eventId", "from-metadata"));
        byte[] json = Json.MAPPER.writeValueAsBytes(event);

        assertThat(CountedEvent.read(json)).isEqualTo(new CountedEvent("b-1-7:BOUNCED", EventType.BOUNCED, "acme"));
    }

    @Test
    void shouldReadFieldsInAnyOrderAndSkipNestedValuesWithTheSameNames() {
        String json = """
                {"details":{"eventId":"inner","type":"SENT","tenantId":"other"},"tenantId":"acme",
                 "list":[{"type":"SENT"}],"n":1.5,"x":null,"type":"SENT","eventId":"e1"}""";

        assertThat(CountedEvent.read(bytes(json))).isEqualTo(new CountedEvent("e1", EventType.SENT, "acme"));
    }

    @Test
    void shouldLeaveOutWhatItCannotReadInsteadOfFailing() {
        // a type this build does not know (a newer producer's) is not counted
        assertThat(CountedEvent.read(bytes("{\"eventId\":\"e\",\"type\":\"OPENED_LATER\",\"tenantId\":\"t\"}")))
                .isEqualTo(new CountedEvent("e", null, "t"));
        assertThat(ReputationInput.of(CountedEvent.read(bytes("{\"eventId\":\"e\",\"type\":\"OPENED_LATER\",\"tenantId\":\"t\"}")), 0))
                .isNull();
        // not an object, truncated, not JSON, empty, null
        assertThat(CountedEvent.read(bytes("[1,2]"))).isNull();
        assertThat(CountedEvent.read(bytes("{\"eventId\":\"e\",\"type\":"))).isNull();
        assertThat(CountedEvent.read(bytes("not json"))).isNull();
        assertThat(CountedEvent.read(new byte[0])).isNull();
        assertThat(CountedEvent.read(null)).isNull();
        // a field of the wrong kind counts as missing
        assertThat(CountedEvent.read(bytes("{\"eventId\":5,\"type\":\"SENT\",\"tenantId\":\"t\"}")))
                .isEqualTo(new CountedEvent(null, EventType.SENT, "t"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
