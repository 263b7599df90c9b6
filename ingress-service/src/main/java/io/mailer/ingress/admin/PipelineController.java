package io.mailer.ingress.admin;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.auth.TenantScope;
import io.mailer.schemas.kafka.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The Kafka equivalent of the guide's queue-depth checks: consumer lag per group and topic
 * ("active"), records waiting in retry topics ("delayed") and in dead-letter/quarantine topics
 * ("failed"). Operator admins only: Kafka lag is not per tenant, so it cannot be scoped to one.
 */
@RestController
class PipelineController implements DisposableBean {

    public record GroupLag(String groupId, Map<String, Long> lagByTopic, long totalLag) {
    }

    public record Pipeline(List<GroupLag> consumerGroups, Map<String, Long> retryTopics, Map<String, Long> deadLetterTopics) {
    }

    private final Admin admin;
    private final Topics topics;
    private final RemainingRecords remaining;

    public PipelineController(KafkaProperties kafka, Topics topics) {
        Map<String, Object> config = new HashMap<>(kafka.buildAdminProperties());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        this.admin = Admin.create(config);
        this.topics = topics;
        this.remaining = new RemainingRecords(kafka.buildConsumerProperties());
    }

    @GetMapping(path = "/api/v1/admin/pipeline", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Pipeline> pipeline(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        // every tenant's traffic in one figure (and other tenants' group names): operator admins only
        TenantScope.requireOperator(principal);
        return Mono.fromCallable(this::read).subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        "Kafka did not answer the pipeline query.", e));
    }

    private Pipeline read() throws Exception {
        List<String> names = admin.listTopics().names().get(5, TimeUnit.SECONDS).stream()
                .filter(n -> n.startsWith(topics.prefix())).sorted().toList();
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        described.values().forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
        Map<TopicPartition, Long> latest = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> earliest = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> stable = offsets(partitions, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);

        Map<String, Long> retry = new TreeMap<>();
        Map<String, Long> dead = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            long depth = latest.getOrDefault(tp, 0L) - earliest.getOrDefault(tp, 0L);
            String shortName = tp.topic().substring(topics.prefix().length());
            if (shortName.contains("-retry")) {
                retry.merge(tp.topic(), depth, Long::sum);
            } else if (shortName.endsWith("-dlt") || shortName.endsWith("-quarantine")) {
                dead.merge(tp.topic(), depth, Long::sum);
            }
        }
        List<GroupLag> groups = new ArrayList<>();
        for (var group : admin.listGroups().all().get(5, TimeUnit.SECONDS)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, Long> committedOffsets = new HashMap<>();
            committed.forEach((tp, om) -> {
                if (om != null && latest.containsKey(tp)) {
                    committedOffsets.put(tp, om.offset());
                }
            });
            Map<String, Long> lag = new TreeMap<>();
            remaining.count(committedOffsets, latest, stable).forEach((tp, n) -> lag.merge(tp.topic(), n, Long::sum));
            if (!lag.isEmpty()) {
                groups.add(new GroupLag(group.groupId(), lag, lag.values().stream().mapToLong(Long::longValue).sum()));
            }
        }
        groups.sort(java.util.Comparator.comparing(GroupLag::groupId));
        return new Pipeline(groups, retry, dead);
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        return offsets(partitions, spec, IsolationLevel.READ_UNCOMMITTED);
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec, IsolationLevel isolation)
            throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                : admin.listOffsets(request, new ListOffsetsOptions(isolation)).all().get(5, TimeUnit.SECONDS).entrySet()) {
            out.put(e.getKey(), e.getValue().offset());
        }
        return out;
    }

    @Override
    public void destroy() {
        admin.close();
    }
}
