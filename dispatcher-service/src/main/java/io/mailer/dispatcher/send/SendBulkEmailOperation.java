package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ratelimit.RatePermit;
import io.mailer.dispatcher.ses.SesBulkEmailFactory;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import io.mailer.dispatcher.ses.SesErrorKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.model.BulkEmailEntryResult;
import software.amazon.awssdk.services.sesv2.model.BulkEmailStatus;

/**
 * One {@code SendBulkEmail} per call, up to 50 destinations (fewer when the rate limit per second is
 * lower, and within the call's data cap). Each entry's status becomes that member's result, mapped to
 * SendEmail's error codes so that {@link SesVerdicts} treats a recipient the same in both modes.
 */
final class SendBulkEmailOperation implements SesOperation<SendBulkEmailOperation.Part> {

    /**
     * A member's entry, and the group's first send from which the call's shared part (From, Reply-To,
     * headers, parts present) is built: kept when the group is regrouped for another attempt.
     */
    record Part(SesBulkEmailFactory.Entry entry, SendPreparer.Preparation.Ready lead) {
    }

    private final SesV2AsyncClient ses;
    private final SesBulkEmailFactory factory;
    private final RateLimiter rateLimiter;
    private final SesErrorClassifier classifier;
    private final DispatcherMetrics metrics;

    SendBulkEmailOperation(SesV2AsyncClient ses, SesBulkEmailFactory factory, RateLimiter rateLimiter,
            SesErrorClassifier classifier, DispatcherMetrics metrics) {
        this.ses = ses;
        this.factory = factory;
        this.rateLimiter = rateLimiter;
        this.classifier = classifier;
        this.metrics = metrics;
    }

    @Override
    public int maxMembers() {
        // the rate limiter charges one permit per destination: a call never asks for more than a second's worth
        return Math.max(1, Math.min(SesBulkEmailFactory.MAX_ENTRIES, rateLimiter.maxRecipientsPerCall()));
    }

    @Override
    public long dataLength(Part part) {
        return part.entry().dataLength();
    }

    @Override
    public long maxData() {
        return SesBulkEmailFactory.MAX_CALL_DATA;
    }

    @Override
    public CompletableFuture<List<EntryResult>> call(List<Part> parts, RatePermit permit) {
        SendPreparer.Preparation.Ready lead = parts.get(0).lead();
        return ses.sendBulkEmail(factory.request(lead.send(), lead.rendered(), parts.stream().map(p -> p.entry().entry()).toList())
                        .toBuilder().overrideConfiguration(SesOperation.carrying(permit)).build())
                .thenApply(response -> results(response.bulkEmailEntryResults(), parts.size()));
    }

    private List<EntryResult> results(List<BulkEmailEntryResult> answered, int members) {
        List<EntryResult> results = new ArrayList<>(members);
        for (int i = 0; i < members; i++) {
            BulkEmailEntryResult r = i < answered.size() ? answered.get(i) : null;
            if (r != null && r.status() == BulkEmailStatus.SUCCESS && r.messageId() != null) {
                results.add(new EntryResult.Accepted(r.messageId()));
            } else if (r == null) {
                results.add(new EntryResult.Refused(
                        new SesError("BulkResultMissing", SesErrorKind.RETRYABLE, 200, "fewer results than entries")));
            } else {
                results.add(new EntryResult.Refused(classifier.classifyBulkEntry(r.status(), r.error())));
            }
        }
        return results;
    }

    @Override
    public void timed(Duration took, String result, int members) {
        metrics.sesBulkCall(took, result, members);
    }
}
