package io.mailer.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Topic schemas only change in backward-compatible ways: compared with the released baseline in
 * src/test/resources/schema-baseline, no property disappears, no new property becomes required,
 * and no enum value is removed. (A deliberate breaking change needs a new topic version.)
 */
class SchemaCompatibilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"batch-command", "send", "delivery-event", "suppression", "message-content", "batch-cancellation",
            "webhook-endpoint", "webhook-command", "webhook-message", "webhook-delivery"})
    void shouldStayBackwardCompatibleWithBaseline(String name) throws IOException {
        JsonNode baseline = read("/schema-baseline/" + name + ".schema.json");
        JsonNode current = read("/schemas/" + name + ".schema.json");
        assertCompatible(name, baseline, current);
    }

    private static void assertCompatible(String path, JsonNode baseline, JsonNode current) {
        assertThat(names(current.path("required"))).as(path + " required").isSubsetOf(names(baseline.path("required")));
        Iterator<String> props = baseline.path("properties").fieldNames();
        while (props.hasNext()) {
            String prop = props.next();
            assertThat(current.path("properties").has(prop)).as(path + "." + prop + " still exists").isTrue();
            JsonNode before = baseline.path("properties").path(prop);
            JsonNode after = current.path("properties").path(prop);
            if (before.has("enum")) {
                assertThat(names(after.path("enum"))).as(path + "." + prop + " enum").containsAll(names(before.path("enum")));
            }
            if (before.has("type")) {
                assertThat(after.path("type")).as(path + "." + prop + " type").isEqualTo(before.path("type"));
            }
            if (before.has("properties")) {
                assertCompatible(path + "." + prop, before, after);
            }
        }
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode read(String resource) throws IOException {
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return JSON.readTree(in);
        }
    }
}
