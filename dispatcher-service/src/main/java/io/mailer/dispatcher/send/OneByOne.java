package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.SesEmailFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;

/**
 * Single mode, and bulk mode's sends too large for a bulk entry: each send is a group of one with
 * SendEmail, started as soon as it is prepared (the poll's other sends are still being rendered).
 * Holds nothing, so one instance serves every poll.
 */
final class OneByOne implements Grouping {

    private final SesEmailFactory emails;
    private final SesAttempts<SendEmailRequest> attempts;

    OneByOne(SesEmailFactory emails, SesAttempts<SendEmailRequest> attempts) {
        this.emails = emails;
        this.attempts = attempts;
    }

    @Override
    public CompletableFuture<SendOutcome> add(SendPreparer.Preparation.Ready ready) {
        SendEmailRequest request;
        try {
            request = emails.build(ready.send(), ready.rendered());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new SendOutcome.Failed("dispatcher:" + e.getMessage(), 0));
        }
        SesAttempts.Member<SendEmailRequest> member = new SesAttempts.Member<>(ready.send(), request);
        attempts.start(List.of(member));
        return member.outcome;
    }

    @Override
    public void startHeld() {
        // every send started when it was added
    }
}
