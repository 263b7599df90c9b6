package io.mailer.topology.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.Suppression;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuppressionKeysTest {

    @Test
    void shouldComputeTheSameKeysAsTheSharedSuppressionKeyForEveryKindOfAddress() {
        // Given addresses that are already normalized and addresses that need trimming,
        // lower-casing or IDN conversion, and odd ones (no @, empty domain, trailing dot, long label)
        List<String> addresses = List.of("ann@example.com", "user.name+tag@sub.example.co.uk", "Bob@Example.COM",
                " ann@example.com ", "\tann@example.com", "ann@bücher.example", "ÄNN@BÜCHER.example",
                "ann@例え.jp", "ann@xn--bcher-kva.example", "no-at-sign", "NO-AT-SIGN", "ann@", "@example.com",
                "ann@example.com.", "ann@a..b", "a@" + "x".repeat(70) + ".com", "\"quoted local\"@example.com",
                "ann@EXAMPLE.com", "ann@example。com", "ünïcödé@example.com", "");

        for (String tenant : List.of("acme", "tenant_2-b")) {
            SuppressionKeys keys = SuppressionKeys.of(tenant);
            for (String address : addresses) {
                // When / Then
                assertThat(keys.tenantKey(address)).as("tenant key of [%s]", address)
                        .isEqualTo(Suppression.key(tenant, address));
                assertThat(keys.operatorWideKey(address)).as("operator-wide key of [%s]", address)
                        .isEqualTo(Suppression.operatorWideKey(address));
            }
        }
    }
}
