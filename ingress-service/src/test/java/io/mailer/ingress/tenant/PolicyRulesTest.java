package io.mailer.ingress.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyRulesTest {

    private static List<FieldProblem> problems(List<String> senders, String set) {
        try {
            PolicyRules.validated(new TenantController.PolicyRequest(senders, set));
            return List.of();
        } catch (ValidationException e) {
            return e.errors();
        }
    }

    @Test
    void shouldStoreDomainsAndAddressesLowerCaseInPunycode() {
        SenderPolicy policy = PolicyRules.validated(new TenantController.PolicyRequest(
                List.of("Example.com", "News@Other.org", "bücher.de"), "cs-name"));
        assertThat(policy.allowedSenders()).containsExactly("example.com", "news@other.org", "xn--bcher-kva.de");
        assertThat(policy.configurationSet()).isEqualTo("cs-name");
    }

    @Test
    void shouldNameEachInvalidEntryByIndex() {
        assertThat(problems(Arrays.asList("example.com", "not a domain", null, "jürgen@example.com", "a@localhost"), null))
                .extracting(FieldProblem::field)
                .containsExactly("allowedSenders[1]", "allowedSenders[2]", "allowedSenders[3]", "allowedSenders[4]");
        assertThat(problems(List.of(), null)).extracting(FieldProblem::field).containsExactly("allowedSenders");
        assertThat(problems(null, "bad name!")).extracting(FieldProblem::field).containsExactly("configurationSet");
        assertThat(problems(null, null)).isEmpty();
    }

    @Test
    void shouldAllowExactDomainsAndAddressesOnly() {
        SenderPolicy policy = new SenderPolicy(List.of("example.com", "news@other.org"), null);
        assertThat(policy.allows("anyone@example.com")).isTrue();
        assertThat(policy.allows("Anyone@EXAMPLE.com")).isTrue();
        assertThat(policy.allows("news@other.org")).isTrue();
        assertThat(policy.allows("sales@other.org")).isFalse();
        assertThat(policy.allows("a@sub.example.com")).isFalse();
        assertThat(policy.allows("a@example.com.evil.io")).isFalse();
        assertThat(SenderPolicy.ANY.allows("x@anything.io")).isTrue();
        assertThatThrownBy(() -> PolicyRules.validated(null)).isInstanceOf(ValidationException.class);
    }
}
