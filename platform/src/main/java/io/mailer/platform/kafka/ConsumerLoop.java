package io.mailer.platform.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's thread for as long as the service runs. A failure (Kafka unreachable at start, an
 * authorization error, a bug) is logged and the body runs again after a back-off of 0.5 s doubling
 * to 30 s, never given up: a reader that ended on its first exception left its service running
 * without it, and nothing showed it. {@link #state()} says which, for health and a metric.
 */
public final class ConsumerLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final long FIRST_BACK_OFF_MS = 500;
    private static final long MAX_BACK_OFF_MS = 30_000;

    public enum State {
        NOT_STARTED,
        /** Started; has not read yet since (re)starting. */
        STARTING,
        READING,
        /** Failed; waiting out its back-off before it starts again. */
        RETRYING,
        STOPPED
    }

    /** Reads until {@link ConsumerLoop#running()} turns false; throws on a failure, to be run again after a back-off. */
    @FunctionalInterface
    public interface Body {
        void run(ConsumerLoop loop) throws InterruptedException;
    }

    private final String name;
    private final Body body;
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running;
    private volatile State state = State.NOT_STARTED;
    private volatile Consumer<?, ?> consumer;
    private volatile String lastError;
    private Thread thread;

    public ConsumerLoop(String name, Body body) {
        this.name = name;
        this.body = body;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    public boolean running() {
        return running;
    }

    /** The body's consumer, so {@link #close()} can wake a blocking call. */
    public void use(Consumer<?, ?> c) {
        consumer = c;
        if (!running) {
            c.wakeup();
        }
    }

    /** Called by the body once it reads (after its first poll, say). */
    public void reading() {
        state = State.READING;
    }

    public String name() {
        return name;
    }

    public State state() {
        return state;
    }

    /** Failures since start, each followed by a restart. */
    public long failures() {
        return failures.get();
    }

    /** The last failure's message, or null. */
    public String lastError() {
        return lastError;
    }

    /** False only when its thread is gone while it should run (an Error): health shows it. */
    public boolean alive() {
        Thread t = thread;
        return !running || t == null || t.isAlive();
    }

    private void loop() {
        long backOff = FIRST_BACK_OFF_MS;
        try {
            while (running) {
                state = State.STARTING;
                try {
                    body.run(this);
                    return;
                } catch (WakeupException e) {
                    if (!running) {
                        return;
                    }
                    fail(e, backOff);
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    fail(e, backOff);
                }
                Thread.sleep(backOff);
                backOff = Math.min(backOff * 2, MAX_BACK_OFF_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            state = State.STOPPED;
        }
    }

    private void fail(RuntimeException e, long backOff) {
        failures.incrementAndGet();
        lastError = e.toString();
        state = State.RETRYING;
        log.error("{} failed; starting again in {} ms", name, backOff, e);
    }

    /** Stops the body: a blocking call is woken, the thread joined for up to {@code timeout}. */
    public void close(Duration timeout) {
        synchronized (this) {
            running = false;
        }
        Consumer<?, ?> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            if (state == State.RETRYING) {
                t.interrupt(); // its back-off sleep; a body is woken by its consumer, not interrupted mid-write
            }
            try {
                t.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
