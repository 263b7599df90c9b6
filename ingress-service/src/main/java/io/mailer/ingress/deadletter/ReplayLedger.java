package io.mailer.ingress.deadletter;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Which dead letters were already replayed: table {@code dead_letter_replay}, one row per
 * dead-letter record. A claim is an insert that only the first caller wins (primary key), so two
 * replays of the same dead letter — sequential or from two replicas at once — publish it once.
 */
@Component
class ReplayLedger {

    private static final String CLAIM = """
            INSERT INTO dead_letter_replay (topic, dlt_partition, dlt_offset, send_id, tenant_id, batch_id)
            SELECT :topic, p, o, s, t, :batch
            FROM unnest(CAST(:partitions AS int[]), CAST(:offsets AS bigint[]), CAST(:sends AS text[]), CAST(:tenants AS text[]))
                 AS x(p, o, s, t)
            ON CONFLICT DO NOTHING
            RETURNING send_id
            """;
    private static final String RELEASE = """
            DELETE FROM dead_letter_replay WHERE topic = :topic AND (dlt_partition, dlt_offset) IN
            (SELECT * FROM unnest(CAST(:partitions AS int[]), CAST(:offsets AS bigint[])))
            """;

    private final DatabaseClient db;

    ReplayLedger(DatabaseClient db) {
        this.db = db;
    }

    /** Claims these dead letters for replay; answers the send ids this call won (not replayed before). */
    Mono<Set<String>> claim(String topic, String batchId, Collection<DeadLetters.Found> letters) {
        if (letters.isEmpty()) {
            return Mono.just(Set.of());
        }
        var list = letters.stream().map(DeadLetters.Found::letter).toList();
        return db.sql(CLAIM).bind("topic", topic).bind("batch", batchId)
                .bind("partitions", list.stream().map(DeadLetters.DeadLetter::partition).toArray(Integer[]::new))
                .bind("offsets", list.stream().map(DeadLetters.DeadLetter::offset).toArray(Long[]::new))
                .bind("sends", list.stream().map(DeadLetters.DeadLetter::sendId).toArray(String[]::new))
                .bind("tenants", list.stream().map(DeadLetters.DeadLetter::tenantId).toArray(String[]::new))
                .map(row -> row.get("send_id", String.class))
                .all()
                .collect(HashSet::new, Set::add);
    }

    /** Gives claims back when publishing failed, so the dead letters can be replayed again. */
    Mono<Void> release(String topic, Collection<DeadLetters.Found> letters) {
        if (letters.isEmpty()) {
            return Mono.empty();
        }
        var list = letters.stream().map(DeadLetters.Found::letter).toList();
        return db.sql(RELEASE).bind("topic", topic)
                .bind("partitions", list.stream().map(DeadLetters.DeadLetter::partition).toArray(Integer[]::new))
                .bind("offsets", list.stream().map(DeadLetters.DeadLetter::offset).toArray(Long[]::new))
                .fetch().rowsUpdated().then();
    }
}
