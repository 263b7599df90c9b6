package io.mailer.webhook.relay;

import java.time.Duration;
import java.util.List;

/**
 * What every endpoint queue follows.
 *
 * @param delays       delay of each retry tier (back-off level i waits delays[i]; the last repeats)
 * @param disableAfter failing this long without a success disables the endpoint
 * @param maxAge       a message not delivered this long after it was made is given up
 * @param capacity     messages one endpoint holds in memory
 * @param concurrency  requests one endpoint may have in flight (one while it is failing)
 */
public record RelaySettings(List<Duration> delays, Duration disableAfter, Duration maxAge, int capacity, int concurrency)
        implements EndpointQueue.Settings {
}
