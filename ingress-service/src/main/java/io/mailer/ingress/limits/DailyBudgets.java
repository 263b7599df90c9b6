package io.mailer.ingress.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The recipients-per-UTC-day budget of every API key, shared by all ingress replicas and kept
 * across restarts through the {@code api_key_usage} table — without a database round trip per
 * request. Each replica reserves from its own view (the total it last read from PostgreSQL plus
 * what it reserved since) and, every {@link #SYNC_INTERVAL}, adds its reservations to the table
 * and reads back the total of all replicas.
 *
 * <p>The bound: all replicas together can exceed a key's budget by at most what they accept in
 * one sync interval each (a restarted replica learns the day's total at its first sync). While
 * PostgreSQL is down each replica keeps counting alone and adds its reservations once it is back.
 */
public final class DailyBudgets {

    static final Duration SYNC_INTERVAL = Duration.ofSeconds(1);
    /** A key with nothing new to add still reads the other replicas' total every this many syncs. */
    static final int REFRESH_EVERY = 5;
    private static final Logger log = LoggerFactory.getLogger(DailyBudgets.class);

    private static final String ADD = """
            INSERT INTO api_key_usage AS u (key_id, day, recipients) VALUES (:key, :day, :delta)
            ON CONFLICT (key_id, day) DO UPDATE SET recipients = u.recipients + EXCLUDED.recipients
            RETURNING u.recipients
            """;
    private static final String PRUNE = "DELETE FROM api_key_usage WHERE day < :before";

    private final long limit;
    private final Clock clock;
    private final DatabaseClient db;
    private final Map<String, Usage> usage = new ConcurrentHashMap<>();
    private volatile LocalDate prunedOn;

    /** {@code db} null: counted in this process only (unit tests). */
    public DailyBudgets(long limit, Clock clock, DatabaseClient db) {
        this.limit = limit;
        this.clock = clock;
        this.db = db;
    }

    /** Reserves {@code count} recipients from today's budget of {@code keyId}, all or nothing. */
    public void reserve(String keyId, int count) {
        LocalDate today = today();
        // a new day starts from zero; an unwritten reservation of yesterday no longer matters
        Usage u = usage.compute(keyId, (k, old) -> old == null || !old.day.equals(today) ? new Usage(today) : old);
        synchronized (u) {
            long used = u.known + u.flushing + u.pending;
            if (used + count > limit) {
                long untilMidnight = Duration.between(clock.instant(),
                        today.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)).toSeconds();
                throw new RateLimits.LimitExceeded("This API key may send to " + limit + " recipients per day; "
                        + used + " are used today.", Math.max(1, untilMidnight));
            }
            u.pending += count;
        }
    }

    /** Gives back a reservation whose batch was not accepted. */
    public void release(String keyId, int count) {
        Usage u = usage.get(keyId);
        if (u != null) {
            synchronized (u) {
                u.pending -= count;
            }
        }
    }

    /** Adds every replica-local reservation to the table and learns each key's total of the day. */
    public Mono<Void> sync() {
        if (db == null) {
            return Mono.empty();
        }
        return Flux.fromIterable(List.copyOf(usage.entrySet()))
                .concatMap(e -> flush(e.getKey(), e.getValue()))
                .then(prune());
    }

    private Mono<Void> flush(String keyId, Usage u) {
        long delta;
        LocalDate day = u.day;
        synchronized (u) {
            delta = u.pending;
            if (delta == 0 && !day.equals(today())) {
                usage.remove(keyId, u);
                return Mono.empty();
            }
            // nothing to add and read recently: other replicas' use is learnt every REFRESH_EVERY syncs
            if (delta == 0 && u.synced && ++u.idleSyncs % REFRESH_EVERY != 0) {
                return Mono.empty();
            }
            u.pending -= delta;
            u.flushing += delta;
        }
        return db.sql(ADD).bind("key", keyId).bind("day", day).bind("delta", delta)
                .map(row -> row.get(0, Long.class)).one()
                .doOnNext(total -> {
                    synchronized (u) {
                        u.flushing -= delta;
                        u.known = total;
                        u.synced = true;
                    }
                })
                .onErrorResume(e -> {
                    synchronized (u) {
                        // not written: keep it for the next sync
                        u.flushing -= delta;
                        u.pending += delta;
                    }
                    log.debug("Daily budget sync of an API key failed; retrying next interval: {}", e.toString());
                    return Mono.empty();
                })
                .then(Mono.fromRunnable(() -> {
                    if (!day.equals(today())) {
                        usage.remove(keyId, u);
                    }
                }));
    }

    private Mono<Void> prune() {
        LocalDate today = today();
        if (today.equals(prunedOn)) {
            return Mono.empty();
        }
        return db.sql(PRUNE).bind("before", today.minusDays(7)).fetch().rowsUpdated()
                .doOnNext(n -> prunedOn = today).then().onErrorResume(e -> Mono.empty());
    }

    private LocalDate today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    /** One key's day: the all-replica total last read, plus this replica's unwritten reservations. */
    private static final class Usage {
        private final LocalDate day;
        private long known;
        private long pending;
        private long flushing;
        private long idleSyncs;
        private boolean synced;

        Usage(LocalDate day) {
            this.day = day;
        }
    }
}
