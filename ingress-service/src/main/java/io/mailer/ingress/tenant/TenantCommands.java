package io.mailer.ingress.tenant;

import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.TenantCommand;
import java.time.Clock;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Writes operator commands (resume, reputation policy) to {@code tenant-commands}, keyed by tenant id. */
@Component
class TenantCommands {

    private final KafkaTemplate<String, Object> kafka;
    private final Topics topics;
    private final Clock clock = Clock.systemUTC();

    TenantCommands(KafkaTemplate<String, Object> mailerKafkaTemplate, Topics topics) {
        this.kafka = mailerKafkaTemplate;
        this.topics = topics;
    }

    Mono<Void> resume(String tenantId, String requestedBy) {
        return send(new TenantCommand(UUID.randomUUID().toString(), tenantId, TenantCommand.Type.RESUME, null, requestedBy,
                clock.instant()));
    }

    Mono<Void> policy(String tenantId, ReputationPolicy policy, String requestedBy) {
        return send(new TenantCommand(UUID.randomUUID().toString(), tenantId, TenantCommand.Type.SET_POLICY, policy,
                requestedBy, clock.instant()));
    }

    private Mono<Void> send(TenantCommand command) {
        return Mono.fromRunnable(() -> kafka.executeInTransaction(ops -> ops.send(topics.tenantCommands.name(),
                        command.tenantId(), command)))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        "The tenant command could not be written to Kafka; retry shortly.", e))
                .then();
    }
}
