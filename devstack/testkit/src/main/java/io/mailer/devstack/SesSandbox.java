package io.mailer.devstack;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for Amazon SES v2 that the real AWS SDK talks to (set {@code SES_ENDPOINT} to
 * {@link #endpoint()}): SendEmail, SendBulkEmail and GetAccount over REST-JSON, with typed errors
 * on demand and SNS-wrapped configuration-set events published to SQS after each accepted send,
 * following the SES mailbox simulator addresses.
 *
 * <p>Fault switches can be flipped while a test runs; {@link #reset()} clears messages and faults.
 */
public final class SesSandbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SesSandbox.class);

    /** One accepted message (a bulk entry counts as one message). */
    public record SentMessage(String messageId, String from, List<String> to, String subject, String html,
                              String text, Map<String, String> headers, Map<String, String> tags,
                              String configurationSet, Instant receivedAt, List<String> replyTo,
                              List<String> cc, List<String> bcc) {

        public SentMessage {
            to = List.copyOf(to);
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
            replyTo = List.copyOf(replyTo);
            cc = List.copyOf(cc);
            bcc = List.copyOf(bcc);
        }

        /** To, Cc and Bcc together: everyone SES delivers this message to. */
        public List<String> recipients() {
            List<String> all = new ArrayList<>(to);
            all.addAll(cc);
            all.addAll(bcc);
            return all;
        }
    }

    /** Start-up settings; fluent setters, read by the getters of the same name. */
    public static final class Config {
        private int port;
        private String sqsEndpoint;
        private String queueUrl;
        private boolean publishEvents = true;
        private Duration eventDelay = Duration.ofMillis(100);
        private Duration complaintDelay = Duration.ofMillis(300);
        private String topicArn = "arn:aws:sns:us-east-1:000000000000:mailer-ses-events";
        private String region = "us-east-1";
        private String accountId = "000000000000";
        private String defaultConfigurationSet = "mailer";
        private double maxSendRate = 14;
        private double max24HourSend = 50_000;
        private boolean enforceMaxSendRate;
        private boolean recordMessages = true;
        private int threads = 32;
        private int eventPublishers = 2;

        public static Config defaults() {
            return new Config();
        }

        /** HTTP port, 0 = random. */
        public Config port(int port) {
            this.port = port;
            return this;
        }

        /** Where events go: the SQS endpoint and the queue URL (both null = no events). */
        public Config eventQueue(String sqsEndpoint, String queueUrl) {
            this.sqsEndpoint = sqsEndpoint;
            this.queueUrl = queueUrl;
            return this;
        }

        /** Off for benchmarks: accepted sends publish nothing. */
        public Config publishEvents(boolean publishEvents) {
            this.publishEvents = publishEvents;
            return this;
        }

        /** Time between an accepted send and its Delivery/Bounce event (default 100 ms). */
        public Config eventDelay(Duration eventDelay) {
            this.eventDelay = eventDelay;
            return this;
        }

        /** Time between an accepted send and the Complaint of complaint@ (default 300 ms). */
        public Config complaintDelay(Duration complaintDelay) {
            this.complaintDelay = complaintDelay;
            return this;
        }

        public Config topicArn(String topicArn) {
            this.topicArn = topicArn;
            return this;
        }

        public Config region(String region) {
            this.region = region;
            return this;
        }

        public Config accountId(String accountId) {
            this.accountId = accountId;
            return this;
        }

        /** Configuration set named in events of sends that named none. */
        public Config defaultConfigurationSet(String name) {
            this.defaultConfigurationSet = name;
            return this;
        }

        /** GetAccount's SendQuota.MaxSendRate (per second; default 14 like a new production account). */
        public Config maxSendRate(double maxSendRate) {
            this.maxSendRate = maxSendRate;
            return this;
        }

        /** GetAccount's SendQuota.Max24HourSend (-1 = unlimited). */
        public Config max24HourSend(double max24HourSend) {
            this.max24HourSend = max24HourSend;
            return this;
        }

        /** Answer 429 when more recipients per second arrive than maxSendRate allows. */
        public Config enforceMaxSendRate(boolean enforce) {
            this.enforceMaxSendRate = enforce;
            return this;
        }

        /** Off for long benchmarks: keeps counts but not the messages themselves. */
        public Config recordMessages(boolean recordMessages) {
            this.recordMessages = recordMessages;
            return this;
        }

        /**
         * Threads publishing events to SQS (one SQS call each at a time; default 2 ≈ 50–150 events/s
         * on a busy 2-core machine). Tests that send hundreds per second and need the events to keep
         * up (the reputation guard's) raise it.
         */
        public Config eventPublishers(int eventPublishers) {
            this.eventPublishers = eventPublishers;
            return this;
        }

        public int eventPublishers() {
            return eventPublishers;
        }

        /** HTTP worker threads (latency faults hold one each). */
        public Config threads(int threads) {
            this.threads = threads;
            return this;
        }

        public int port() {
            return port;
        }

        public String sqsEndpoint() {
            return sqsEndpoint;
        }

        public String queueUrl() {
            return queueUrl;
        }

        public boolean publishEvents() {
            return publishEvents;
        }

        public Duration eventDelay() {
            return eventDelay;
        }

        public Duration complaintDelay() {
            return complaintDelay;
        }

        public String topicArn() {
            return topicArn;
        }

        public String region() {
            return region;
        }

        public String accountId() {
            return accountId;
        }

        public String defaultConfigurationSet() {
            return defaultConfigurationSet;
        }

        public double maxSendRate() {
            return maxSendRate;
        }

        public double max24HourSend() {
            return max24HourSend;
        }

        public boolean enforceMaxSendRate() {
            return enforceMaxSendRate;
        }

        public boolean recordMessages() {
            return recordMessages;
        }

        public int threads() {
            return threads;
        }
    }

    private final Config config;
    private final SesFaults faults;
    private final HttpServer server;
    private final ExecutorService workers;
    private final SesEventPublisher publisher;
    private final List<SentMessage> sent = new ArrayList<>();
    private final AtomicLong messagesAccepted = new AtomicLong();
    private final AtomicLong recipientsAccepted = new AtomicLong();
    private volatile boolean closed;
    private final SandboxAccount account;

    private SesSandbox(Config config) {
        this.config = config;
        this.account = new SandboxAccount(config.defaultConfigurationSet(), config.topicArn());
        this.faults = new SesFaults(config.maxSendRate(), config.enforceMaxSendRate());
        this.publisher = config.publishEvents() && config.queueUrl() != null && config.sqsEndpoint() != null
                ? new SesEventPublisher(new SesEvents(config.region(), config.accountId(), config.topicArn(),
                        config.defaultConfigurationSet()), EmbeddedSqs.newClient(config.sqsEndpoint()),
                        config.queueUrl(), config.eventDelay(), config.complaintDelay(), config.eventPublishers())
                : null;
        AtomicInteger threadNumber = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.threads(), config.threads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ses-sandbox-http-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ((ThreadPoolExecutor) workers).allowCoreThreadTimeOut(true);
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 256);
        } catch (IOException e) {
            workers.shutdownNow();
            if (publisher != null) {
                publisher.close();
            }
            throw new UncheckedIOException("Cannot bind the SES sandbox to port " + config.port(), e);
        }
        server.createContext("/", new SesHttpApi(this, faults));
        server.setExecutor(workers);
        server.start();
        log.info("SES sandbox ready on {} (events {})", endpoint(),
                publisher == null ? "off" : "to " + config.queueUrl());
    }

    /** A sandbox on a random port that publishes no events. */
    public static SesSandbox start() {
        return new SesSandbox(new Config());
    }

    public static SesSandbox start(Config config) {
        return new SesSandbox(config);
    }

    /** The SES_ENDPOINT for the SDK's endpointOverride. */
    public String endpoint() {
        return "http://localhost:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Identities, event destinations and SNS subscriptions as read-only checks see them (mutable). */
    public SandboxAccount account() {
        return account;
    }

    public Config config() {
        return config;
    }

    /** The messages accepted so far, oldest first (a snapshot). */
    public List<SentMessage> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /** The accepted messages that had {@code address} among their recipients (case-insensitive). */
    public List<SentMessage> sentTo(String address) {
        String wanted = SesEvents.bareAddress(address).toLowerCase(Locale.ROOT);
        return sent().stream()
                .filter(m -> m.recipients().stream()
                        .anyMatch(r -> SesEvents.bareAddress(r).toLowerCase(Locale.ROOT).equals(wanted)))
                .toList();
    }

    /** Messages accepted so far (counted even when {@code recordMessages} is off). */
    public long sentCount() {
        return messagesAccepted.get();
    }

    /** Recipients accepted so far: GetAccount's SentLast24Hours. */
    public long recipientsSent() {
        return recipientsAccepted.get();
    }

    /** SNS notifications published to SQS so far. */
    public long publishedEvents() {
        return publisher == null ? 0 : publisher.published();
    }

    /** Events scheduled but not yet on the queue (0 when events are off). */
    public long pendingEvents() {
        return publisher == null ? 0 : publisher.pending();
    }

    /** Forgets recorded messages and counts, and switches every fault off. */
    public SesSandbox reset() {
        synchronized (sent) {
            sent.clear();
        }
        messagesAccepted.set(0);
        recipientsAccepted.set(0);
        faults.reset();
        return this;
    }

    /** Delay before each send answers (holds an HTTP worker, like a slow SES). */
    public SesSandbox latency(Duration latency) {
        faults.latency(latency);
        return this;
    }

    /** Fraction in [0, 1] of messages answered 429 TooManyRequestsException. */
    public SesSandbox throttleFraction(double fraction) {
        faults.throttleFraction(fraction);
        return this;
    }

    /**
     * Messages with a recipient whose whole address matches {@code addressRegex}
     * (case-insensitive) fail with {@code errorCode}, e.g. "MessageRejected" (400),
     * "MailFromDomainNotVerifiedException", "AccountSuspendedException", "NotFoundException" (404).
     * In SendBulkEmail the entry gets the matching status (MESSAGE_REJECTED, ...).
     */
    public SesSandbox failPermanently(String addressRegex, String errorCode) {
        faults.failPermanently(addressRegex, errorCode);
        return this;
    }

    /** The next {@code count} send requests answer 500 InternalFailure. */
    public SesSandbox failServerErrors(int count) {
        faults.failServerErrors(count);
        return this;
    }

    /**
     * Every SendEmail and SendBulkEmail request fails as a whole with {@code errorCode}, e.g.
     * "AccessDeniedException" (403) as when IAM denies the call; GetAccount still answers. Null clears it.
     */
    public SesSandbox denyRequests(String errorCode) {
        faults.denyRequests(errorCode);
        return this;
    }

    /** While paused, sends answer SendingPausedException and GetAccount says SendingEnabled=false. */
    public SesSandbox sendingPaused(boolean paused) {
        faults.sendingPaused(paused);
        return this;
    }

    /** GetAccount's SendQuota.MaxSendRate (and the enforced rate, if enforcement is on). */
    public SesSandbox maxSendRate(double rate) {
        faults.maxSendRate(rate);
        return this;
    }

    /** Turns 429s for sends above maxSendRate recipients per second on or off. */
    public SesSandbox enforceMaxSendRate(boolean enforce) {
        faults.enforceMaxSendRate(enforce);
        return this;
    }

    /** Called by the HTTP API for every accepted message. */
    void accept(SentMessage message) {
        messagesAccepted.incrementAndGet();
        recipientsAccepted.addAndGet(message.recipients().size());
        if (config.recordMessages()) {
            synchronized (sent) {
                sent.add(message);
            }
        }
        if (publisher != null) {
            publisher.publishFor(message);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        workers.shutdownNow();
        if (publisher != null) {
            publisher.close();
        }
    }
}
