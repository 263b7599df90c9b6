package io.mailer.ingress.suppression;

import io.mailer.ingress.web.Problems;
import io.mailer.schemas.events.EmailAddresses;
import io.mailer.schemas.events.Suppression;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Mono;

/**
 * A recipient who reported mail as spam stays suppressed: SES reviews accounts on the complaint
 * rate, and mailing a complainer again is what raises it. So a tenant may neither delete a
 * COMPLAINT suppression nor replace it by a weaker reason (which it could then delete). The check
 * reads the {@code suppression} view; with PostgreSQL down such writes answer 503 (fail closed).
 */
@Component
class ComplaintGuard {

    static final String PROBLEM_TYPE = "complaint-suppression";

    private final DatabaseClient db;

    ComplaintGuard(DatabaseClient db) {
        this.db = db;
    }

    /** 409 {@code complaint-suppression} if the tenant's suppression of the address is a COMPLAINT. */
    Mono<Void> refuseIfComplaint(String tenant, String email, String action) {
        return db.sql("SELECT reason FROM suppression WHERE tenant_id = :tenant AND email = :email")
                .bind("tenant", tenant).bind("email", EmailAddresses.normalize(email))
                .map(row -> row.get("reason", String.class))
                .one()
                .onErrorMap(SuppressionQueries::unavailable)
                .flatMap(reason -> Suppression.Reason.COMPLAINT.name().equals(reason) ? Mono.error(refused(email, action))
                        : Mono.<Void>empty());
    }

    /** The import without the lines that would downgrade an existing COMPLAINT suppression (it stays as it is). */
    Mono<List<Suppression>> withoutDowngrades(String tenant, List<Suppression> imported) {
        String[] emails = imported.stream().filter(s -> s.reason() != Suppression.Reason.COMPLAINT)
                .map(Suppression::email).distinct().toArray(String[]::new);
        if (emails.length == 0) {
            return Mono.just(imported);
        }
        return db.sql("SELECT email FROM suppression WHERE tenant_id = :tenant AND reason = 'COMPLAINT'"
                        + " AND email = ANY(CAST(:emails AS text[]))")
                .bind("tenant", tenant).bind("emails", emails)
                .map(row -> row.get("email", String.class))
                .all().collect(HashSet<String>::new, Set::add)
                .onErrorMap(SuppressionQueries::unavailable)
                .map(complaints -> complaints.isEmpty() ? imported : imported.stream()
                        .filter(s -> s.reason() == Suppression.Reason.COMPLAINT || !complaints.contains(s.email())).toList());
    }

    private static ErrorResponseException refused(String email, String action) {
        return new ErrorResponseException(HttpStatus.CONFLICT, Problems.of(HttpStatus.CONFLICT, PROBLEM_TYPE,
                EmailAddresses.normalize(email) + " has a COMPLAINT suppression (the recipient reported mail as spam); it cannot be "
                        + action + " through the API, so the address is never mailed again.", null), null);
    }
}
