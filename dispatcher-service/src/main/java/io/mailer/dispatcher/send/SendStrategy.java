package io.mailer.dispatcher.send;

import io.mailer.schemas.events.SendRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** How a poll's sends reach SES ({@link SendStrategies}: one SendEmail per send, or SendBulkEmail groups per {@code SES_SEND_MODE}). */
public interface SendStrategy {

    /** One outcome per send, in the same order; the futures never complete exceptionally. */
    List<CompletableFuture<SendOutcome>> processAll(List<SendRequest> sends);
}
