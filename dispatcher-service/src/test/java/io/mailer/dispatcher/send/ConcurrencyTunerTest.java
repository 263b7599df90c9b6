package io.mailer.dispatcher.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConcurrencyTunerTest {

    private final AtomicReference<Double> rate = new AtomicReference<>(1_000.0);
    private final InFlightLimiter calls = new InFlightLimiter(1);
    private final ConcurrencyTuner tuner = new ConcurrencyTuner(calls, 200, 1_000, rate::get);

    @Test
    void shouldSizeCallsByLittlesLawAtTheMeasuredLatency() {
        // Given single sends answered in 50 ms and ledger writes acknowledged in 10 ms
        measure(0.050, 1, 0.010);

        // Then 1,000/s × 50 ms × 2 + 2 = 102 calls, and the window covers SES and the ledger: 1,000 × 60 ms × 2 + 2
        assertThat(calls.limit()).isEqualTo(102);
        assertThat(tuner.window().limit()).isEqualTo(122);
    }

    @Test
    void shouldNeedFewerCallsForBulkCallsAndFollowTheRate() {
        // Given calls of 50 recipients answered in 50 ms
        measure(0.050, 50, 0.010);

        // Then 1,000/s is 20 calls/s: 20 × 50 ms × 2 + 2 = 4 calls
        assertThat(calls.limit()).isEqualTo(4);

        // When the rate drops to 14/s, the window shrinks to about two full calls: 14 × 60 ms × 2 + 2 × 50
        rate.set(14.0);
        tuner.retune();
        assertThat(calls.limit()).isEqualTo(3);
        assertThat(tuner.window().limit()).isEqualTo(102);
    }

    @Test
    void shouldStayWithinTheCeilings() {
        measure(2.0, 1, 0.5);

        assertThat(calls.limit()).isEqualTo(200);
        assertThat(tuner.window().limit()).isEqualTo(1_000);
    }

    /** Feeds samples until the smoothed latencies have settled on them. */
    private void measure(double callSeconds, int recipients, double ledgerSeconds) {
        for (int i = 0; i < 60; i++) {
            tuner.callAnswered((long) (callSeconds * 1e9), recipients);
            tuner.ledgerAcknowledged((long) (ledgerSeconds * 1e9));
            tuner.retune();
        }
    }
}
