package io.mailer.dispatcher;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.SesSandbox;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.kafka.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a dispatcher test runs against — an embedded broker with the topics under one prefix and
 * the SES sandbox — and what it starts on them (dispatchers configured by environment, as
 * deployed; producers; event readers). {@link #close()} stops all of it, newest first, and clears
 * the system properties the test set.
 */
final class DispatcherStack implements AutoCloseable {

    final EmbeddedKafka kafka;
    final SesSandbox ses;
    final Topics topics;
    private final String prefix;
    private final List<String> properties;
    private final List<AutoCloseable> started = new ArrayList<>();

    private DispatcherStack(Builder b) {
        this.prefix = b.prefix;
        this.properties = List.copyOf(b.properties.keySet());
        // the SDK's default credentials chain reads these (dummy: the sandbox checks nothing)
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        b.properties.forEach(System::setProperty);
        this.topics = new Topics(prefix);
        try {
            this.kafka = started(EmbeddedKafka.start());
            this.ses = started(SesSandbox.start(b.ses));
            kafka.createTopics(topics, b.partitions);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static Builder on(String prefix) {
        return new Builder(prefix);
    }

    /** The settings every dispatcher here needs: broker, topics, a free port, the sandbox. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("MAILER_TOPIC_PREFIX", prefix);
        env.put("PORT", "0");
        env.put("AWS_REGION", "us-east-1");
        env.put("SES_ENDPOINT", ses.endpoint());
        return env;
    }

    /** A dispatcher started with {@link #env()} and these settings on top. */
    ConfigurableApplicationContext dispatcher(Map<String, String> settings) {
        Map<String, String> env = env();
        env.putAll(settings);
        return started(DispatcherApplication.start(env));
    }

    <V> KafkaProducer<String, V> producer(Serializer<V> values, Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(config);
        all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return started(new KafkaProducer<>(all, new StringSerializer(), values));
    }

    TopicReader<DeliveryEvent> deliveryEvents() {
        return started(new TopicReader<>(kafka.bootstrapServers(), topics.deliveryEvents.name(),
                topics.deliveryEvents.valueSerde().deserializer()));
    }

    <T extends AutoCloseable> T started(T closeable) {
        started.add(closeable);
        return closeable;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // keep closing the rest: a broker left running would hold its port and directory
                if (first == null) {
                    first = new IllegalStateException("closing " + started.get(i), e);
                }
            }
        }
        properties.forEach(System::clearProperty);
        if (first != null) {
            throw first;
        }
    }

    static final class Builder {
        private final String prefix;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private SesSandbox.Config ses = SesSandbox.Config.defaults();
        private int partitions = 6;

        private Builder(String prefix) {
            this.prefix = prefix;
        }

        Builder ses(SesSandbox.Config config) {
            this.ses = config;
            return this;
        }

        Builder partitions(int n) {
            this.partitions = n;
            return this;
        }

        /** A system property set before anything starts and cleared at close. */
        Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        DispatcherStack start() {
            return new DispatcherStack(this);
        }
    }
}
