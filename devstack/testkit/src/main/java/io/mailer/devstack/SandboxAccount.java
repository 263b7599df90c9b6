package io.mailer.devstack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The account setup the sandbox reports to read-only checks ({@code mailerctl doctor}): identities,
 * configuration-set event destinations, SNS subscriptions and the event queue's policy. It does not change what the sandbox
 * sends or publishes; tests break it on purpose to see the checks turn red. The default is a
 * correct setup: every identity verified with DKIM, the default configuration set publishing every
 * event type to the sandbox's topic (the subscription and the queue are added by {@link DevStack},
 * which knows the queue).
 */
public final class SandboxAccount {

    /** GetEmailIdentity: verified for sending; DKIM status SUCCESS, PENDING, FAILED, NOT_STARTED… */
    public record Identity(boolean verified, String dkimStatus) {
    }

    /** One event destination of a configuration set. */
    public record EventDestination(String name, boolean enabled, List<String> eventTypes, String snsTopicArn) {
    }

    /** An SQS queue as GetQueueAttributes reports it (ElasticMQ keeps no policy, so the sandbox does). */
    public record Queue(String arn, String policy) {
    }

    /** One SNS subscription: protocol (sqs), endpoint (the queue ARN), confirmed or pending. */
    public record Subscription(String protocol, String endpoint, boolean confirmed, boolean rawMessageDelivery) {
    }

    public static final List<String> ALL_EVENT_TYPES = List.of("SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY",
            "DELIVERY_DELAY", "RENDERING_FAILURE", "SUBSCRIPTION", "OPEN", "CLICK");

    private final Map<String, Identity> identities = new ConcurrentHashMap<>();
    private volatile boolean verifyUnlisted = true;
    private final Map<String, List<EventDestination>> configurationSets = new ConcurrentHashMap<>();
    private final Map<String, List<Subscription>> subscriptions = new ConcurrentHashMap<>();
    private volatile boolean productionAccess = true;
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();

    SandboxAccount(String defaultConfigurationSet, String topicArn) {
        configurationSets.put(defaultConfigurationSet, new CopyOnWriteArrayList<>(List.of(new EventDestination(
                "mailer-events-to-sns", true, List.of("SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY",
                        "RENDERING_FAILURE"), topicArn))));
    }

    /** Sets one identity (an address or a domain); others follow {@link #verifyUnlisted(boolean)}. */
    public SandboxAccount identity(String name, boolean verified, String dkimStatus) {
        identities.put(name.toLowerCase(Locale.ROOT), new Identity(verified, dkimStatus));
        return this;
    }

    /** true (default): identities not set explicitly exist, verified, DKIM SUCCESS; false: they do not exist. */
    public SandboxAccount verifyUnlisted(boolean verify) {
        this.verifyUnlisted = verify;
        return this;
    }

    /** The identity as GetEmailIdentity reports it, or null (NotFoundException). */
    public Identity identity(String name) {
        Identity explicit = identities.get(name.toLowerCase(Locale.ROOT));
        return explicit != null ? explicit : verifyUnlisted ? new Identity(true, "SUCCESS") : null;
    }

    /** Replaces a configuration set's event destinations (none: the set exists without any). */
    public SandboxAccount replaceEventDestinations(String configurationSet, EventDestination... destinations) {
        configurationSets.put(configurationSet, new CopyOnWriteArrayList<>(destinations));
        return this;
    }

    public SandboxAccount removeConfigurationSet(String configurationSet) {
        configurationSets.remove(configurationSet);
        return this;
    }

    /** A configuration set's destinations, or null if it does not exist. */
    public List<EventDestination> eventDestinations(String configurationSet) {
        List<EventDestination> d = configurationSets.get(configurationSet);
        return d == null ? null : List.copyOf(d);
    }

    public SandboxAccount subscribe(String topicArn, Subscription subscription) {
        subscriptions.computeIfAbsent(topicArn, t -> new CopyOnWriteArrayList<>()).add(subscription);
        return this;
    }

    public SandboxAccount unsubscribeAll(String topicArn) {
        subscriptions.remove(topicArn);
        return this;
    }

    public List<Subscription> subscriptions(String topicArn) {
        return new ArrayList<>(subscriptions.getOrDefault(topicArn, List.of()));
    }

    /** Sets the queue GetQueueAttributes answers for {@code queueUrl} (policy null: none). */
    public SandboxAccount queue(String queueUrl, String arn, String policy) {
        queues.put(queueUrl, new Queue(arn, policy));
        return this;
    }

    /** The queue of that URL, or null (QueueDoesNotExist). */
    public Queue queue(String queueUrl) {
        return queues.get(queueUrl);
    }

    /** The queue policy AWS needs so that the SNS topic may send to the queue. */
    public static String snsPolicy(String queueArn, String topicArn) {
        return """
                {"Version":"2012-10-17","Statement":[{"Sid":"sns-to-queue","Effect":"Allow",\
                "Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s",\
                "Condition":{"ArnEquals":{"aws:SourceArn":"%s"}}}]}""".formatted(queueArn, topicArn);
    }

    /** GetAccount's ProductionAccessEnabled (false: the SES sandbox, verified recipients only). */
    public SandboxAccount productionAccess(boolean enabled) {
        this.productionAccess = enabled;
        return this;
    }

    public boolean productionAccess() {
        return productionAccess;
    }
}
