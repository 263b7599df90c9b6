package io.mailer.dispatcher.send;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dispatcher's meters (Prometheus names):
 * <ul>
 *   <li>{@code emails_sent_total{tenant,outcome}}: sends by final outcome (sent, failed, deferred);</li>
 *   <li>{@code email_send_duration_seconds{result}}: histogram of single SES calls;</li>
 *   <li>{@code mailer_dispatcher_in_flight}: SES calls in flight now;</li>
 *   <li>{@code mailer_dispatcher_ses_retries_total{code}}: attempts that will be retried;</li>
 *   <li>{@code mailer_dispatcher_dead_letters_total{reason}}: records diverted to {@code sends-dlt};</li>
 *   <li>{@code mailer_dispatcher_account_paused}: 1 while SES says the account cannot send;</li>
 *   <li>{@code mailer_dispatcher_rate_limit}: sends per second this replica paces at now;
 *       {@code mailer_dispatcher_global_rate}: the account's rate it takes its share of;</li>
 *   <li>{@code mailer_dispatcher_throttled_total}: SES 429 answers;</li>
 *   <li>{@code mailer_dispatcher_ledger_hits_total}: redelivered sends found in the ledger (not resent);</li>
 *   <li>{@code mailer_dispatcher_view_lag_seconds{topic}}, {@code mailer_dispatcher_view_following{topic}}:
 *       the ledger and cancellation views' freshness and state;</li>
 *   <li>{@code mailer_dispatcher_operator_errors_total{code}}: answers blaming Mailer's setup (sending pauses);</li>
 *   <li>{@code mailer_dispatcher_cancelled_at_call_total}: sends withdrawn at the last moment before
 *       SES because their batch was cancelled while they waited for a slot or a rate turn.</li>
 * </ul>
 */
public final class DispatcherMetrics {

    private final MeterRegistry registry;
    private final Map<String, Map<String, Counter>> outcomes = new ConcurrentHashMap<>();
    // per-call meters, looked up once per result rather than built and registered on every SES call
    private final Map<String, Timer> sesCalls = new ConcurrentHashMap<>();
    private final Map<String, Timer> sesBulkCalls = new ConcurrentHashMap<>();

    public DispatcherMetrics(MeterRegistry registry, InFlightLimiter inFlight, SendGate gate) {
        this.registry = registry;
        Gauge.builder("mailer.dispatcher.in.flight", inFlight, InFlightLimiter::inFlight)
                .description("SES calls in flight")
                .register(registry);
        Gauge.builder("mailer.dispatcher.account.paused", gate, g -> g.isPaused() ? 1 : 0)
                .description("1 while SES says the account cannot send")
                .register(registry);
    }

    /** Gauges of the concurrency tuner: the limits it set and the duplicate window in use. */
    public void watch(ConcurrencyTuner tuner) {
        Gauge.builder("mailer.dispatcher.concurrency.limit", tuner, t -> t.callsLimit())
                .description("SES calls allowed in flight now (rate × SES latency × 2, at most WORKER_CONCURRENCY)")
                .register(registry);
        Gauge.builder("mailer.dispatcher.unrecorded.sends", tuner.window(), InFlightLimiter::inFlight)
                .description("Sends between the start of their SES call and their ledger entry's acknowledgment: what a crash now could send twice")
                .register(registry);
        Gauge.builder("mailer.dispatcher.unrecorded.limit", tuner.window(), InFlightLimiter::limit)
                .description("The duplicate window now (rate × (SES latency + ledger ack) × 2, at most DUPLICATE_WINDOW)")
                .register(registry);
        Gauge.builder("mailer.dispatcher.ses.latency.seconds", tuner, ConcurrencyTuner::callSeconds)
                .description("Smoothed SES call latency the tuner sizes concurrency with")
                .register(registry);
    }

    /** The bound on rendered messages: what it counts now, its limit, and how often a send waited for room. */
    public void watch(PreparedMessages prepared) {
        Gauge.builder("mailer.dispatcher.prepared.messages", prepared, PreparedMessages::counted)
                .description("Characters of rendered messages prepared and not yet answered by SES (x2 for their copy in the request)")
                .register(registry);
        Gauge.builder("mailer.dispatcher.prepared.messages.limit", prepared, PreparedMessages::limit)
                .description("The bound on mailer_dispatcher_prepared_messages")
                .register(registry);
        FunctionCounter.builder("mailer.dispatcher.prepared.waits", prepared, PreparedMessages::waits)
                .description("Sends that waited for earlier sends to be answered before being prepared")
                .register(registry);
    }

    /** Gauges of the shared rate limiter. */
    public void watch(io.mailer.dispatcher.ratelimit.SharedRateLimiter limiter) {
        Gauge.builder("mailer.dispatcher.rate.limit", limiter, l -> l.currentRate())
                .description("Sends per second this replica paces at now (its share, after AIMD)")
                .register(registry);
        Gauge.builder("mailer.dispatcher.global.rate", limiter, l -> l.globalRate())
                .description("The account's send rate shared by all replicas")
                .register(registry);
        Gauge.builder("mailer.dispatcher.rate.window.recipients", limiter, l -> l.inWindow())
                .description("Recipients counted in the one-second window now (in flight and answered)")
                .register(registry);
        Gauge.builder("mailer.dispatcher.rate.waiting", limiter, l -> l.waiting())
                .description("SES calls waiting for their rate turn").register(registry);
        io.mailer.dispatcher.ratelimit.TurnTimes times = limiter.turnTimes();
        FunctionCounter.builder("mailer.dispatcher.rate.turns", times, t -> t.turns())
                .description("SES calls that got their rate turn").register(registry);
        FunctionCounter.builder("mailer.dispatcher.rate.window.waits", times, t -> t.windowWaits())
                .description("Times the next call found the one-second window full").register(registry);
        FunctionCounter.builder("mailer.dispatcher.rate.turn.lateness.seconds", times, t -> t.lateSeconds())
                .description("Sum of how late the rate timer gave turns that were due").register(registry);
        FunctionCounter.builder("mailer.dispatcher.rate.turn.to.transmission.seconds", times, t -> t.toTransmissionSeconds())
                .description("Sum of the time from a call's turn until its request went out (our SES client's work)")
                .register(registry);
        FunctionCounter.builder("mailer.dispatcher.rate.round.trip.seconds", times, t -> t.roundTripSeconds())
                .description("Sum of the time from a request going out until its answer arrived").register(registry);
        FunctionCounter.builder("mailer.dispatcher.rate.window.held.seconds", times, t -> t.heldSeconds())
                .description("Sum of how long calls held their place in the window; the sustained rate is at"
                        + " most the limit / the mean").register(registry);
    }

    /** Gauges of a topic view: how late its latest record became visible, and whether it is reading. */
    public void watch(io.mailer.dispatcher.ledger.CompactedTopicView<?> view) {
        Gauge.builder("mailer.dispatcher.view.lag.seconds", view, v -> v.lagMillis() < 0 ? Double.NaN : v.lagMillis() / 1000.0)
                .description("Time from the latest record's timestamp to when this replica's view of the topic showed it")
                .tag("topic", view.topic())
                .register(registry);
        watchFollowing(view);
    }

    private void watchFollowing(io.mailer.dispatcher.ledger.TopicFollower view) {
        Gauge.builder("mailer.dispatcher.view.following", view, v -> "FOLLOWING".equals(v.state()) ? 1 : 0)
                .description("1 while the view reads its topic, 0 while it retries after a failure or is stopped")
                .tag("topic", view.topic())
                .register(registry);
    }

    /** Gauges of the send ledger view: entries held, and taken-over partitions whose entries are still being read. */
    /** Gauges of THROTTLED tenants' pacing on this replica. */
    public void watch(io.mailer.dispatcher.tenant.TenantThrottle throttle) {
        Gauge.builder("mailer.dispatcher.throttled.tenants", throttle, t -> t.tenants())
                .description("Tenants THROTTLED by the reputation guard that this replica paces").register(registry);
        Gauge.builder("mailer.dispatcher.throttle.reservations", throttle, t -> t.reservations())
                .description("Sends of THROTTLED tenants parked with a reserved slot on this replica").register(registry);
    }

    /** The hold releaser: held sends released, tenants with sends still held, failures. */
    public void watch(io.mailer.dispatcher.tenant.HoldReleaser releaser) {
        io.micrometer.core.instrument.FunctionCounter.builder("mailer.dispatcher.held.released", releaser, r -> r.released())
                .description("Held sends of resumed tenants released to sends").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("mailer.dispatcher.hold.releaser.failures", releaser,
                        r -> r.failures())
                .description("Hold releaser loops that failed and restarted from the committed checkpoints").register(registry);
        Gauge.builder("mailer.dispatcher.held.tenants", releaser, r -> r.pendingTenants())
                .description("Tenants with held sends not yet released, over this replica's sends-held partitions")
                .register(registry);
        Gauge.builder("mailer.dispatcher.held.partitions.full", releaser, r -> r.fullPartitions())
                .description("sends-held partitions whose checkpoint has no room for another tenant").register(registry);
    }

    public void watch(io.mailer.dispatcher.ledger.LedgerView view) {
        Gauge.builder("mailer.dispatcher.ledger.entries", view, v -> v.size())
                .description("Send ledger entries this replica holds (uncommitted sends; recent entries after a takeover)")
                .register(registry);
        Gauge.builder("mailer.dispatcher.ledger.partitions.awaiting", view, v -> v.partitionsAwaiting())
                .description("Partitions taken over whose ledger entries are still being read; their sends wait")
                .register(registry);
        watchFollowing(view);
    }

    public void throttled() {
        Counter.builder("mailer.dispatcher.throttled")
                .description("SES answers 429 (too many requests)")
                .register(registry)
                .increment();
    }

    public void ledgerHit() {
        Counter.builder("mailer.dispatcher.ledger.hits")
                .description("Redelivered sends SES had already accepted (found in the ledger, not resent)")
                .register(registry)
                .increment();
    }

    public void operatorError(String code) {
        Counter.builder("mailer.dispatcher.operator.errors")
                .description("SES answers that blame Mailer's setup (IAM, credentials, configuration set); sending pauses")
                .tag("code", code)
                .register(registry)
                .increment();
    }

    public void cancelledAtCall() {
        Counter.builder("mailer.dispatcher.cancelled.at.call")
                .description("Sends withdrawn just before the SES call: their batch was cancelled while they waited")
                .register(registry)
                .increment();
    }

    /** Counted for every send: the counter is looked up once per (tenant, outcome), not built each time. */
    public void outcome(String tenant, SendOutcome outcome) {
        String t = tenant == null ? "unknown" : tenant;
        String label = outcome.metricLabel();
        outcomes.computeIfAbsent(t, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(label, l -> Counter.builder("emails.sent")
                        .description("Sends by final outcome")
                        .tag("tenant", t)
                        .tag("outcome", l)
                        .register(registry))
                .increment();
    }

    /** @param result {@code ok} or the {@link io.mailer.dispatcher.ses.SesErrorKind} in lower case */
    public void sesCall(Duration duration, String result) {
        sesCalls.computeIfAbsent(result, r -> Timer.builder("email.send.duration")
                        .description("Duration of one SES SendEmail call")
                        .tag("result", r)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(duration);
    }

    /** One SendBulkEmail call of {@code entries} destinations; {@code result} as for {@link #sesCall}. */
    public void sesBulkCall(Duration duration, String result, int entries) {
        sesBulkCalls.computeIfAbsent(result, r -> Timer.builder("email.bulk.send.duration")
                        .description("Duration of one SES SendBulkEmail call")
                        .tag("result", r)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(duration);
        Counter.builder("mailer.dispatcher.bulk.entries")
                .description("Destinations carried by SendBulkEmail calls (retried entries count again)")
                .register(registry)
                .increment(entries);
    }

    public void retry(String code) {
        Counter.builder("mailer.dispatcher.ses.retries")
                .description("SES attempts that failed and will be retried")
                .tag("code", code)
                .register(registry)
                .increment();
    }

    public void deadLetter(String reason) {
        Counter.builder("mailer.dispatcher.dead.letters")
                .description("Records of sends diverted to the dead-letter topic")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
