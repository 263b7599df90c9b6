package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ratelimit.RatePermit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;

/** One {@code SendEmail} per call: a group of one, its request built once and reused for every attempt. */
final class SendEmailOperation implements SesOperation<SendEmailRequest> {

    private final SesV2AsyncClient ses;
    private final DispatcherMetrics metrics;

    SendEmailOperation(SesV2AsyncClient ses, DispatcherMetrics metrics) {
        this.ses = ses;
        this.metrics = metrics;
    }

    @Override
    public int maxMembers() {
        return 1;
    }

    @Override
    public CompletableFuture<List<EntryResult>> call(List<SendEmailRequest> parts, RatePermit permit) {
        SendEmailRequest request = parts.get(0).toBuilder().overrideConfiguration(SesOperation.carrying(permit)).build();
        return ses.sendEmail(request).thenApply(response -> List.of(new EntryResult.Accepted(response.messageId())));
    }

    @Override
    public void timed(Duration took, String result, int members) {
        metrics.sesCall(took, result);
    }
}
