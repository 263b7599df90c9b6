package io.mailer.schemas.reputation;

import java.time.Instant;

/**
 * What a rate was computed from ({@code sends}: the larger of the SENT events and the sends SES
 * already answered for, deliveries + hard bounces): counts in the window that starts at {@code from} (the oldest
 * bucket counted; the window is the last {@code REPUTATION_WINDOW} or the last
 * {@code REPUTATION_WINDOW_SENDS} sends, whichever is smaller).
 */
public record WindowCounts(long sends, long hardBounces, long deliveries, long complaints, Instant from) {

    public static final WindowCounts EMPTY = new WindowCounts(0, 0, 0, 0, null);

    public double bounceRate() {
        return sends == 0 ? 0 : (double) hardBounces / sends;
    }

    public double complaintRate() {
        return deliveries == 0 ? 0 : (double) complaints / deliveries;
    }
}
