package io.mailer.feedback.intake.pipeline;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeOutcome;
import io.mailer.feedback.intake.ses.NotificationReader;
import io.mailer.feedback.intake.ses.SesEventMapper;
import io.mailer.feedback.intake.ses.SesNotification;
import io.mailer.feedback.intake.sqs.SqsMessageHandler;
import io.mailer.feedback.intake.sqs.SqsMessageHandler.Settlement;
import io.mailer.schemas.events.Suppression;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One SQS message from body to Kafka: read the envelope, map the SES event, publish the events
 * and suppressions (or quarantine the raw body). The returned future completes once that is done,
 * with {@code DELETE}, or at once with {@code Keep} when the message is to be retried later; it
 * fails when something that is not the message's fault failed (Kafka, the database).
 */
final class MessageHandler implements SqsMessageHandler {

    private static final Logger log = LoggerFactory.getLogger(MessageHandler.class);

    private final NotificationReader reader;
    private final SesEventMapper mapper;
    private final FeedbackPublisher publisher;
    private final SoftBounceSuppressor softBounces;
    private final IntakeMetrics metrics;

    public MessageHandler(NotificationReader reader, SesEventMapper mapper, SoftBounceSuppressor softBounces,
            FeedbackPublisher publisher, IntakeMetrics metrics) {
        this.reader = reader;
        this.mapper = mapper;
        this.softBounces = softBounces;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<Settlement> handle(Message message) {
        IntakeOutcome outcome;
        try {
            outcome = outcome(message.body());
        } catch (RuntimeException e) {
            // not a decision but a failure, e.g. the database (correlation fallback, soft-bounce
            // history) is down: not the message's fault, so leave it in SQS and retry later
            return CompletableFuture.failedFuture(e);
        }
        // Java 17: no pattern matching for switch yet, hence the instanceof chain
        if (outcome instanceof IntakeOutcome.Publish p) {
            return publisher.publish(p).thenApply(acked -> {
                p.events().forEach(e -> metrics.published(e.type()));
                return Settlement.DELETE;
            });
        }
        if (outcome instanceof IntakeOutcome.Quarantine q) {
            log.warn("Quarantining SQS message {}: {} ({})", message.messageId(), q.reason().tag(), q.detail());
            return publisher.quarantine(message.messageId(), message.body(), q).thenApply(acked -> {
                metrics.quarantined(q.reason());
                return Settlement.DELETE;
            });
        }
        if (outcome instanceof IntakeOutcome.Retry r) {
            return CompletableFuture.completedFuture(new Settlement.Keep(r.why()));
        }
        metrics.ignored(((IntakeOutcome.Ignore) outcome).what());
        return CompletableFuture.completedFuture(Settlement.DELETE);
    }

    IntakeOutcome outcome(String body) {
        NotificationReader.ReadResult read = reader.read(body);
        if (!(read instanceof SesNotification n)) {
            return ((NotificationReader.Unread) read).outcome();
        }
        IntakeOutcome mapped = mapper.map(n);
        if (mapped instanceof IntakeOutcome.Publish p) {
            List<Suppression> extra = softBounces.suppressionsFor(p.events());
            if (!extra.isEmpty()) {
                List<Suppression> all = new ArrayList<>(p.suppressions());
                all.addAll(extra);
                return new IntakeOutcome.Publish(p.sesType(), p.events(), all);
            }
        }
        return mapped;
    }
}
