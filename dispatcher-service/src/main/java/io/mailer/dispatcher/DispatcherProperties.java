package io.mailer.dispatcher;

import io.mailer.dispatcher.ratelimit.WindowEnd;
import io.mailer.dispatcher.send.SendStrategies;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the dispatcher reads, under {@code mailer.dispatcher}. Environment variables are mapped
 * onto it by {@link DispatcherApplication#springProperties}; static defaults are in
 * {@code dispatcher-service.yml}.
 *
 * @param workerConcurrency  max SES calls in flight per instance ({@code WORKER_CONCURRENCY}): a ceiling,
 *                           the tuner runs below it when the rate and SES latency need fewer
 * @param duplicateWindow    max sends between the start of their SES call and their ledger entry's
 *                           acknowledgment ({@code DUPLICATE_WINDOW}): the duplicate bound per crash
 * @param mailFrom           default From when a message has none ({@code MAIL_FROM}); may be null
 * @param maxPollRecords     records per poll; each poll is sent concurrently, then acknowledged
 * @param accountPause       how long to stop sending after SES says the account cannot send
 * @param templateCacheSize  compiled templates kept (three per batch: subject, html, text)
 * @param preparedMessages   characters of rendered messages prepared and not yet answered by SES
 *                           ({@code send/PreparedMessages}); 0: an eighth of the heap
 */
@ConfigurationProperties("mailer.dispatcher")
public record DispatcherProperties(
        int workerConcurrency,
        int duplicateWindow,
        String mailFrom,
        int maxPollRecords,
        Duration accountPause,
        int templateCacheSize,
        long preparedMessages,
        Ses ses,
        Retry retry,
        Unsubscribe unsubscribe,
        Rate rate) {

    public DispatcherProperties {
        unsubscribe = unsubscribe == null ? new Unsubscribe(null, null) : unsubscribe;
    }

    /**
     * The shared rate limiter and the account monitor.
     *
     * @param decrease             AIMD: factor applied to the rate on a 429 (at most once per second)
     * @param increase             AIMD: share of the full rate regained every second
     * @param accountRefresh       how often GetAccount is read (MaxSendRate, sending enabled, quota)
     * @param pausedAccountRefresh how often while sending is paused
     * @param ledgerCatchUp        how long a rebalance waits for the ledger of taken-over partitions
     *                             (their sends are deferred until it has read them, however long)
     * @param ledgerReadHorizon    how long entries read at a takeover are kept (the redelivered
     *                             records come through in the first polls after it)
     * @param ledgerCommittedHorizon how long an entry stays after its send's record is committed
     *                             (a send id re-published soon after is still recognised)
     * @param windowEnd            until when an answered SES call counts against the rate: one second
     *                             after the answer less half the fastest recent round trip (default), or
     *                             after the answer (no assumption about SES's clock, limit / (1 s + latency))
     */
    public record Rate(double decrease, double increase, Duration accountRefresh, Duration pausedAccountRefresh,
            Duration ledgerCatchUp, Duration ledgerReadHorizon, Duration ledgerCommittedHorizon,
            WindowEnd windowEnd) {

        public Rate {
            windowEnd = windowEnd == null ? WindowEnd.FASTEST_MIDPOINT : windowEnd;
        }
    }

    /**
     * @param region           {@code AWS_REGION}
     * @param endpoint         {@code SES_ENDPOINT}; null means the real regional endpoint
     * @param configurationSet {@code SES_CONFIGURATION_SET}; may be null
     * @param maxSendRate      {@code SES_MAX_SEND_RATE} per second; null means no local limit
     * @param callTimeout      total time allowed for one SES call (one attempt: SDK retries are off)
     * @param sendMode         {@code SES_SEND_MODE}: SendEmail per send, or SendBulkEmail groups
     */
    public record Ses(String region, URI endpoint, String configurationSet, Double maxSendRate,
            Duration callTimeout, SendStrategies.Mode sendMode) {

        public Ses {
            sendMode = sendMode == null ? SendStrategies.Mode.BULK : sendMode;
        }
    }

    /**
     * In-process retry of one send, then the retry tiers ({@code tierDelays}: one delay per
     * {@code sends-retry-*} topic, in order). Errors (5xx, network) and throttling have separate budgets:
     * a 429 says nothing about the message, so it must not use up the attempts a flaky server gets.
     */
    public record Retry(int maxAttempts, int maxThrottledAttempts, Duration initialBackoff, Duration maxBackoff,
            java.util.List<Duration> tierDelays) {
    }

    /** One-click unsubscribe; both set or the headers are not added. */
    public record Unsubscribe(String baseUrl, String secret) {

        public boolean enabled() {
            return baseUrl != null && !baseUrl.isBlank() && secret != null && !secret.isBlank();
        }
    }
}
