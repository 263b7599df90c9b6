package io.mailer.ingress.limits;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.system.IngressProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Per-key limits (OWASP API4: sending email costs money): a token bucket of requests per second,
 * kept in memory per replica (N replicas allow up to N times the rate — a documented trade-off
 * that keeps PostgreSQL off the hot path), and a recipients-per-UTC-day budget shared by all
 * replicas through PostgreSQL ({@link DailyBudgets}, synchronised every second).
 */
@Component
public class RateLimits implements org.springframework.beans.factory.InitializingBean,
        org.springframework.beans.factory.DisposableBean {

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
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final DailyBudgets daily;
    private reactor.core.Disposable syncLoop;

    @org.springframework.beans.factory.annotation.Autowired
    public RateLimits(IngressProperties props, org.springframework.r2dbc.core.DatabaseClient db) {
        this(props.rateLimitPerSecond(), Clock.systemUTC(), new DailyBudgets(props.recipientsPerDay(), Clock.systemUTC(), db));
    }

    /** In-process only (unit tests). */
    RateLimits(int perSecond, long recipientsPerDay, Clock clock) {
        this(perSecond, clock, new DailyBudgets(recipientsPerDay, clock, null));
    }

    RateLimits(int perSecond, Clock clock, DailyBudgets daily) {
        this.perSecond = perSecond;
        this.clock = clock;
        this.daily = daily;
    }

    @Override
    public void afterPropertiesSet() {
        // one sync at a time (concatMap): a slow database delays the next sync, never stacks them
        syncLoop = reactor.core.publisher.Flux.interval(DailyBudgets.SYNC_INTERVAL)
                .onBackpressureDrop()
                .concatMap(tick -> daily.sync(), 1)
                .subscribe();
    }

    /** Writes the last reservations before the replica goes away. */
    @Override
    public void destroy() {
        if (syncLoop != null) {
            syncLoop.dispose();
        }
        daily.sync().block(java.time.Duration.ofSeconds(5));
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
        daily.reserve(principal.keyId(), count);
    }

    /** Gives back a reservation whose batch was not accepted. */
    public void release(ApiPrincipal principal, int count) {
        daily.release(principal.keyId(), count);
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

}
