package io.mailer.ingress.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.ingress.auth.ApiPrincipal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

    private static final ApiPrincipal KEY_A = new ApiPrincipal("key_a", "acme", Set.of(ApiPrincipal.Scope.SEND));
    private static final ApiPrincipal KEY_B = new ApiPrincipal("key_b", "acme", Set.of(ApiPrincipal.Scope.SEND));

    @Test
    void shouldReserveRecipientsPerKeyAllOrNothingAndSayWhenTheDayEnds() {
        // Given a budget of 10 recipients a day, at 18:00 UTC
        RateLimits limits = new RateLimits(100, 10, Clock.fixed(Instant.parse("2026-11-27T18:00:00Z"), ZoneOffset.UTC));
        limits.recipients(KEY_A, 7);

        // Then 4 more do not fit (nothing is taken), 3 do; another key has its own budget
        assertThatThrownBy(() -> limits.recipients(KEY_A, 4)).isInstanceOf(RateLimits.LimitExceeded.class)
                .satisfies(e -> assertThat(((RateLimits.LimitExceeded) e).retryAfterSeconds()).isEqualTo(6 * 3600));
        limits.recipients(KEY_A, 3);
        limits.recipients(KEY_B, 10);
        // and a released reservation (a failed commit) can be used again
        limits.release(KEY_A, 5);
        limits.recipients(KEY_A, 5);
    }

    @Test
    void shouldRefuseRequestsBeyondTheBucketWithRetryAfterOneSecond() {
        // a stopped clock: no token comes back during the test, however slow the machine is
        RateLimits limits = new RateLimits(3, 1000, Clock.fixed(Instant.parse("2026-11-27T18:00:00Z"), ZoneOffset.UTC));
        for (int i = 0; i < 3; i++) {
            limits.request(KEY_A);
        }

        assertThatThrownBy(() -> limits.request(KEY_A)).isInstanceOf(RateLimits.LimitExceeded.class)
                .satisfies(e -> assertThat(((RateLimits.LimitExceeded) e).retryAfterSeconds()).isEqualTo(1));
        limits.request(KEY_B); // separate bucket
    }
}
