package io.mailer.ingress.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The address rule has an allocation-free path for ASCII addresses beside the regex/IDN path (the
 * rule as it was before): both must give exactly the same answers.
 */
class EmailAddressRuleTest {

    static Stream<Arguments> addresses() {
        return Stream.of(
                arguments("a@example.com", null),
                arguments("first.last+tag@sub.example-mail.co.uk", null),
                arguments("o'brien!#$%&*/=?^_`{|}~-@x.io", null),
                arguments("user@bücher.de", null),
                arguments("jürgen@example.com", null),
                arguments(null, "is required"),
                arguments("   ", "is required"),
                arguments("plain", "is not a valid email address"),
                arguments("@example.com", "is not a valid email address"),
                arguments("a@", "is not a valid email address"),
                arguments("a@b@example.com", "is not a valid email address"),
                arguments(".a@example.com", "is not a valid email address"),
                arguments("a.@example.com", "is not a valid email address"),
                arguments("a..b@example.com", "is not a valid email address"),
                arguments("a b@example.com", "is not a valid email address"),
                arguments("\"quoted\"@example.com", "is not a valid email address"),
                arguments("a@localhost", "has an invalid domain"),
                arguments("a@example..com", "has an invalid domain"),
                arguments("a@example.com.", "has an invalid domain"),
                arguments("a@-example.com", "has an invalid domain"),
                arguments("a@example-.com", "has an invalid domain"),
                arguments("a@exa_mple.com", "has an invalid domain"),
                arguments("a@example.com ", "has an invalid domain"));
    }

    @ParameterizedTest
    @MethodSource("addresses")
    void shouldAnswerLikeTheRfc5321Rule(String address, String expected) {
        assertThat(EmailAddressRule.problem(address)).isEqualTo(expected);
        assertThat(EmailAddressRule.problem(address)).isEqualTo(reference(address));
    }

    @Test
    void shouldEnforceLengthLimits() {
        String label63 = "a".repeat(63);
        assertThat(EmailAddressRule.problem("a".repeat(64) + "@x.io")).isNull();
        assertThat(EmailAddressRule.problem("a".repeat(65) + "@x.io")).isEqualTo("has a local part longer than 64 characters");
        assertThat(EmailAddressRule.problem("a@" + label63 + ".io")).isNull();
        assertThat(EmailAddressRule.problem("a@" + label63 + "a.io")).isEqualTo("has an invalid domain");
        assertThat(EmailAddressRule.problem("a@" + (label63 + ".").repeat(4) + "io")).isEqualTo("is longer than 254 characters");
    }

    @Test
    void shouldAgreeWithTheRegexAndIdnRuleOnRandomAddresses() {
        Random random = new Random(42);
        String alphabet = "aZ09.-_@+!'\" é\u3002ü-.aa";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(14);
            for (int j = 0; j < length; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String address = random.nextBoolean() ? b + "@" + b.reverse() + ".com" : b.toString();
            assertThat(EmailAddressRule.problem(address)).as(address).isEqualTo(reference(address));
        }
    }

    /** The rule as it was before the ASCII fast path: regexes and IDN for every address. */
    private static String reference(String address) {
        return EmailAddressRule.problemWithoutFastPath(address);
    }
}
