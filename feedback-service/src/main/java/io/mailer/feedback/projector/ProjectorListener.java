package io.mailer.feedback.projector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * The projector: a batch listener over {@code batch-commands}, {@code delivery-events} and
 * {@code suppressions} (group {@code <prefix>projector}, read_committed). Each poll is decoded,
 * poison records are dead-lettered, the rest are written in one transaction; the container
 * commits the offsets (ack mode BATCH) only after this method returns, i.e. after the commit.
 *
 * <p>Failures: a record the database rejects as invalid data is isolated by replaying the poll
 * one record at a time and dead-lettering the offender. Any other failure (database down,
 * deadlock) is thrown: the container's error handler retries the same poll with backoff until
 * it succeeds, since skipping would leave the view inconsistent.
 */
public final class ProjectorListener {

    private static final Logger log = LoggerFactory.getLogger(ProjectorListener.class);
    static final String REJECTED_BY_DATABASE = "rejected_by_database";

    private final RecordDecoder decoder;
    private final ProjectionWriter writer;
    private final ProjectorDeadLetters deadLetters;
    private final MeterRegistry registry;

    public ProjectorListener(RecordDecoder decoder, ProjectionWriter writer, ProjectorDeadLetters deadLetters,
            MeterRegistry registry) {
        this.decoder = decoder;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.registry = registry;
    }

    // idIsGroup=false: the group is spring.kafka.consumer.group-id (<prefix>projector), not the id
    @KafkaListener(id = "projector", idIsGroup = false, topics = "#{@feedbackTopics.projectorSources()}",
            batch = "true", autoStartup = "${mailer.feedback.projector.enabled:true}")
    public void onPoll(List<ConsumerRecord<String, byte[]>> records) {
        List<ProjectorRecord> valid = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            ProjectorRecord decoded = decoder.decode(record);
            if (decoded instanceof ProjectorRecord.Poison poison) {
                deadLetters.send(poison);
            } else {
                valid.add(decoded);
            }
        }
        try {
            writer.write(valid);
        } catch (DataIntegrityViolationException e) {
            log.warn("Poll of {} records rejected by the database, isolating the offender: {}", valid.size(),
                    e.getMostSpecificCause().getMessage());
            writeOneByOne(valid);
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            Counter.builder("mailer.projector.records").description("records consumed by the projector")
                    .tag("topic", record.topic()).register(registry).increment();
        }
    }

    private void writeOneByOne(List<ProjectorRecord> valid) {
        for (ProjectorRecord r : valid) {
            try {
                writer.write(List.of(r));
            } catch (DataIntegrityViolationException e) {
                deadLetters.send(new ProjectorRecord.Poison(r.source(), REJECTED_BY_DATABASE,
                        e.getMostSpecificCause().getMessage()));
            }
        }
    }
}
