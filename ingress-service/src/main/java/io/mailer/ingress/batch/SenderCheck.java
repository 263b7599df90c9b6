package io.mailer.ingress.batch;

import io.mailer.ingress.tenant.SenderPolicy;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;

/** From and replyTo (or MAIL_FROM when from is absent) must be identities the tenant's policy allows: else 403 naming the field. */
final class SenderCheck {

    private SenderCheck() {
    }

    static void check(SubmitBatchRequest r, String defaultFrom, SenderPolicy policy) {
        if (policy.allowedSenders() == null) {
            return;
        }
        List<FieldProblem> errors = new ArrayList<>();
        boolean ownFrom = r.from() != null && !r.from().isBlank();
        String from = BatchMessages.from(r, defaultFrom);
        if (from != null && !from.isBlank() && !policy.allows(address(from))) {
            errors.add(new FieldProblem("from", ownFrom ? "is not among the tenant's allowed senders"
                    : "is absent, and the default MAIL_FROM is not among the tenant's allowed senders"));
        }
        if (r.replyTo() != null && !r.replyTo().isBlank() && !policy.allows(address(r.replyTo()))) {
            errors.add(new FieldProblem("replyTo", "is not among the tenant's allowed senders"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(HttpStatus.FORBIDDEN, "sender-not-allowed",
                    "The tenant's policy does not allow this sender identity: " + errors.get(0).field() + " " + errors.get(0).message() + ".",
                    errors);
        }
    }

    private static String address(String mailbox) {
        return Mailboxes.ascii(Mailboxes.parse(mailbox).address());
    }
}
