package io.mailer.dispatcher.kafka;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Closes the producers of the templates built in {@link KafkaConfiguration}: their factories are
 * not beans, so Spring never closed them, and at shutdown their producers were left reconnecting
 * to a broker that had gone (and unsent records were not flushed). Destroyed after the beans that
 * use them (they depend on this), so after the containers' last poll.
 */
final class ProducerFactories implements DisposableBean {

    private final List<DefaultKafkaProducerFactory<?, ?>> factories = new CopyOnWriteArrayList<>();

    <K, V> DefaultKafkaProducerFactory<K, V> add(DefaultKafkaProducerFactory<K, V> factory) {
        factories.add(factory);
        return factory;
    }

    @Override
    public void destroy() {
        factories.forEach(DefaultKafkaProducerFactory::destroy);
    }
}
