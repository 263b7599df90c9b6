package io.mailer.ingress.deadletter;

import io.mailer.ingress.auth.TenantScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Replays dead letters of one batch within a tenant scope: the latest dead letter of each send,
 * minus those whose address is suppressed now, minus those already replayed (claimed in
 * {@link ReplayLedger} before publishing, so a second replay publishes nothing). A claim whose
 * publication fails is given back, so the answer (503) is safe to retry.
 */
@Component
class DeadLetterReplayer {

    /** A dead letter not re-published, and why. */
    public record Skipped(String sendId, String email, String reason, String detail) {
    }

    public record Result(String batchId, int replayed, List<String> replayedSendIds, List<Skipped> skipped) {
    }

    private final DeadLetters deadLetters;
    private final ReplayLedger ledger;
    private final Suppressions suppressions;
    private final BatchOwner owner;

    DeadLetterReplayer(DeadLetters deadLetters, ReplayLedger ledger, Suppressions suppressions, BatchOwner owner) {
        this.deadLetters = deadLetters;
        this.ledger = ledger;
        this.suppressions = suppressions;
        this.owner = owner;
    }

    Mono<Result> replay(String batchId, TenantScope scope, List<String> sendIds) {
        return Mono.fromCallable(() -> deadLetters.latest(batchId, scope, sendIds))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(DeadLetterController::kafkaUnavailable)
                .flatMap(latest -> latest.isEmpty()
                        ? DeadLetterController.requireVisible(owner, batchId, scope).then(Mono.just(latest))
                        : Mono.just(latest))
                .flatMap(latest -> suppressions.reasons(latest.values().stream().map(DeadLetters.Found::letter).toList())
                        .onErrorMap(DeadLetterController::postgresUnavailable)
                        .flatMap(suppressed -> replay(batchId, sendIds, latest, suppressed)));
    }

    private Mono<Result> replay(String batchId, List<String> sendIds, Map<String, DeadLetters.Found> latest,
            Map<String, String> suppressed) {
        List<Skipped> skipped = new ArrayList<>();
        if (sendIds != null) {
            sendIds.stream().distinct().filter(id -> !latest.containsKey(id)).forEach(id ->
                    skipped.add(new Skipped(id, null, "not-found", "no dead letter of this batch has this send id")));
        }
        List<DeadLetters.Found> candidates = new ArrayList<>();
        for (DeadLetters.Found f : latest.values()) {
            String why = suppressed.get(f.letter().sendId());
            if (why != null) {
                skipped.add(new Skipped(f.letter().sendId(), f.letter().email(), "suppressed", why));
            } else {
                candidates.add(f);
            }
        }
        String topic = deadLetters.topic();
        return ledger.claim(topic, batchId, candidates)
                .onErrorMap(DeadLetterController::postgresUnavailable)
                .flatMap(won -> {
                    List<DeadLetters.Found> mine = candidates.stream().filter(f -> won.contains(f.letter().sendId())).toList();
                    candidates.stream().filter(f -> !won.contains(f.letter().sendId())).forEach(f -> skipped.add(new Skipped(
                            f.letter().sendId(), f.letter().email(), "already-replayed", "this dead letter was replayed before")));
                    return publish(topic, mine).thenReturn(new Result(batchId, mine.size(),
                            mine.stream().map(f -> f.letter().sendId()).toList(), skipped));
                });
    }

    private Mono<Void> publish(String topic, List<DeadLetters.Found> mine) {
        if (mine.isEmpty()) {
            return Mono.empty();
        }
        return Mono.<Void>fromRunnable(() -> {
                    try {
                        deadLetters.publish(mine);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                // some may have reached Kafka: a retry can send them twice, which the dispatcher's ledger stops
                .onErrorResume(e -> ledger.release(topic, mine).onErrorResume(x -> Mono.empty())
                        .then(Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                                "The dead letters could not be re-published to Kafka; retry shortly.", e))));
    }
}
