package io.mailer.ingress.limits;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.system.IngressProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Per-key limits (OWASP API4: sending email costs money): a token bucket of requests per second
 * and a recipients-per-UTC-day budget. Kept in memory per replica — N replicas allow up to N times
 * the rate — a documented trade-off that keeps PostgreSQL off the hot path.
 */
@Component
public class RateLimits {

    /** Why a request was refused and when it may be retried. */
    public static final class LimitExceeded extends RuntimeException {
        private final long retryAfterSeconds;

        public LimitExceeded(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private final int perSecond;
    private final long recipientsPerDay;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, DailyCount> daily = new ConcurrentHashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    public RateLimits(IngressProperties props) {
        this(props.rateLimitPerSecond(), props.recipientsPerDay(), Clock.systemUTC());
    }

    RateLimits(int perSecond, long recipientsPerDay, Clock clock) {
        this.perSecond = perSecond;
        this.recipientsPerDay = recipientsPerDay;
        this.clock = clock;
    }

    /** Takes one request token, or throws with the time until the next token. */
    public void request(ApiPrincipal principal) {
        // from the clock, not System.nanoTime(): tests pin time instead of racing the refill
        long nanos = Math.multiplyExact(clock.millis(), 1_000_000L);
        Bucket bucket = buckets.computeIfAbsent(principal.keyId(), k -> new Bucket(perSecond, nanos));
        long waitNanos = bucket.take(perSecond, nanos);
        if (waitNanos > 0) {
            throw new LimitExceeded("This API key is limited to " + perSecond + " requests per second.",
                    Math.max(1, Duration.ofNanos(waitNanos).toSeconds() + 1));
        }
    }

    /** Reserves recipients from today's budget, all or nothing. */
    public void recipients(ApiPrincipal principal, int count) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        DailyCount c = daily.compute(principal.keyId(), (k, old) -> old == null || !old.day.equals(today) ? new DailyCount(today) : old);
        synchronized (c) {
            if (c.used + count > recipientsPerDay) {
                long untilMidnight = Duration.between(clock.instant(), today.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)).toSeconds();
                throw new LimitExceeded("This API key may send to " + recipientsPerDay + " recipients per day; "
                        + c.used + " are used today.", Math.max(1, untilMidnight));
            }
            c.used += count;
        }
    }

    /** Gives back a reservation whose batch was not accepted. */
    public void release(ApiPrincipal principal, int count) {
        DailyCount c = daily.get(principal.keyId());
        if (c != null) {
            synchronized (c) {
                c.used = Math.max(0, c.used - count);
            }
        }
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(int capacity, long now) {
            this.tokens = capacity;
            this.last = now;
        }

        synchronized long take(int rate, long now) {
            tokens = Math.min(rate, tokens + (now - last) * rate / 1e9);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) ((1 - tokens) * 1e9 / rate);
        }
    }

    private static final class DailyCount {
        private final LocalDate day;
        private long used;

        DailyCount(LocalDate day) {
            this.day = day;
        }
    }
}
