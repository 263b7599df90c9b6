package io.mailer.ingress.batch;

import io.mailer.ingress.idempotency.IdempotencyStore;
import java.net.URI;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one path by which a batch (JSON or NDJSON) is submitted under an {@code Idempotency-Key}:
 * the first request with a key submits and records its answer; a repeat with the same body gets
 * that answer again ({@code Idempotent-Replayed}), with another body 409, while the first is
 * still running 409.
 */
@Component
class IdempotentSubmission {

    static final String HEADER = "Idempotency-Key";

    /** What a submission produced: the answer, and the body's hash to compare repeats with. */
    record Submitted(SubmitController.Accepted accepted, String hash) {
    }

    private final IdempotencyStore store;
    private final JsonMapper json;

    IdempotentSubmission(IdempotencyStore store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    /**
     * @param knownHash the body's hash when it is known before submitting (JSON); null when it is
     *                  only known once the body has streamed through (NDJSON)
     * @param bodyHash  hashes the body without submitting, to compare a repeat with the first
     */
    Mono<ResponseEntity<SubmitController.Accepted>> submit(String tenant, String key, String knownHash,
            Mono<Submitted> submission, Supplier<Mono<String>> bodyHash) {
        if (key == null) {
            return submission.map(s -> accepted(s.accepted()));
        }
        return store.claim(tenant, checkKey(key), knownHash).flatMap(claim -> {
            if (claim instanceof IdempotencyStore.Done d) {
                return bodyHash.get().flatMap(hash -> replay(d, hash));
            }
            if (claim instanceof IdempotencyStore.InFlight) {
                return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
                        "A request with this Idempotency-Key is still being processed; retry when it has finished."));
            }
            return submission
                    .onErrorResume(e -> store.release(tenant, key).then(Mono.error(e)))
                    .flatMap(s -> store.complete(tenant, key, s.hash(), 202, json.writeValueAsString(s.accepted()))
                            // the batch is in Kafka: answer 202 even if the key could not be marked done
                            .onErrorResume(e -> Mono.empty())
                            .thenReturn(accepted(s.accepted())));
        });
    }

    private Mono<ResponseEntity<SubmitController.Accepted>> replay(IdempotencyStore.Done done, String hash) {
        if (!hash.equals(done.requestHash())) {
            return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
                    "This Idempotency-Key was used with a different request body."));
        }
        SubmitController.Accepted first = json.readValue(done.body(), SubmitController.Accepted.class);
        return Mono.just(ResponseEntity.status(done.status()).header("Idempotent-Replayed", "true")
                .location(URI.create("/api/v1/batches/" + first.id())).body(first));
    }

    private static String checkKey(String key) {
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Idempotency-Key must be 1-255 visible ASCII characters.");
        }
        return key;
    }

    static ResponseEntity<SubmitController.Accepted> accepted(SubmitController.Accepted a) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/batches/" + a.id())).body(a);
    }
}
