package io.mailer.dispatcher.system;

import io.mailer.dispatcher.kafka.RetryTierContainers;
import io.mailer.dispatcher.ledger.CompactedTopicView;
import io.mailer.dispatcher.ledger.LedgerView;
import io.mailer.dispatcher.send.SendGate;
import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.schemas.events.SendRequest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Liveness contributor {@code consumers}: DOWN when a listener container stopped on its own (an
 * {@link Error} on the consumer thread, fencing, lost authorization) or a topic view's reader gave
 * up. Either leaves the replica silently idle for its partitions; a restart is the remedy. While
 * the service shuts down, stopped containers are expected and reported UP.
 */
@Component("consumers")
class ConsumersHealthIndicator implements HealthIndicator {

    private final ConcurrentMessageListenerContainer<String, SendRequest> sends;
    private final RetryTierContainers retryTiers;
    private final LedgerView ledger;
    private final CompactedTopicView<BatchCancellation> cancellations;
    private final SendGate gate;

    public ConsumersHealthIndicator(ConcurrentMessageListenerContainer<String, SendRequest> sendsListenerContainer,
            RetryTierContainers retryTierContainers, LedgerView sendsLedgerView,
            CompactedTopicView<BatchCancellation> batchCancellationsView, SendGate gate) {
        this.sends = sendsListenerContainer;
        this.retryTiers = retryTierContainers;
        this.ledger = sendsLedgerView;
        this.cancellations = batchCancellationsView;
        this.gate = gate;
    }

    @Override
    public Health health() {
        if (gate.isShuttingDown()) {
            return Health.up().withDetail("state", "shutting down").build();
        }
        List<String> stopped = new ArrayList<>();
        check("sends", sends, stopped);
        retryTiers.containers().forEach(c -> check(String.join(",", c.getContainerProperties().getTopics()), c, stopped));
        if (!ledger.isFollowing()) {
            stopped.add("view " + ledger.topic() + ": " + ledger.state());
        }
        if (!cancellations.isFollowing()) {
            stopped.add("view " + cancellations.topic() + ": " + cancellations.state());
        }
        Health.Builder health = stopped.isEmpty() ? Health.up() : Health.down().withDetail("stopped", stopped);
        return health.withDetail("ledgerView", ledger.state())
                .withDetail("ledgerEntries", ledger.size())
                .withDetail("partitionsAwaitingLedger", ledger.partitionsAwaiting())
                .withDetail("cancellationsView", cancellations.state())
                .withDetail("cancellationsViewLagMs", cancellations.lagMillis())
                .build();
    }

    private static void check(String name, MessageListenerContainer container, List<String> stopped) {
        // not running before the context started it is normal; stopped after it ran, or a child
        // consumer gone while the container still runs, is not
        if (!container.isInExpectedState() || (container.isRunning() && !container.isChildRunning())) {
            stopped.add(name);
        }
    }
}
