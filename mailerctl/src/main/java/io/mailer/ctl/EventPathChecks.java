package io.mailer.ctl;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.EventDestination;
import software.amazon.awssdk.services.sesv2.model.NotFoundException;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.Subscription;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import tools.jackson.databind.JsonNode;

/**
 * The way SES events reach the feedback service: configuration set → event destination → SNS topic
 * → subscription → SQS queue (whose policy must let the topic send). Read-only calls.
 */
final class EventPathChecks {

    /** Without these the feedback service never learns outcomes (and suppressions never happen). */
    static final List<String> REQUIRED = List.of("BOUNCE", "COMPLAINT", "DELIVERY");
    static final List<String> RECOMMENDED = List.of("REJECT", "RENDERING_FAILURE", "DELIVERY_DELAY");

    private final SesV2Client ses;
    private final SnsClient sns;
    private final SqsClient sqs;

    EventPathChecks(AwsClients clients) {
        this.ses = clients.ses();
        this.sns = clients.sns();
        this.sqs = clients.sqs();
    }

    /** Checks the configuration set's destinations; adds the SNS topics they publish to. */
    Check configurationSet(String name, Set<String> topics) {
        String check = "configuration set: " + name;
        List<EventDestination> destinations;
        try {
            destinations = ses.getConfigurationSetEventDestinations(b -> b.configurationSetName(name)).eventDestinations();
        } catch (NotFoundException e) {
            return Check.fail(check, "does not exist", "aws sesv2 create-configuration-set --configuration-set-name " + name
                    + "  then add an SNS event destination (see below)\n" + destinationFix(name, "<topic-arn>"));
        }
        Set<String> types = new LinkedHashSet<>();
        StringBuilder detail = new StringBuilder();
        for (EventDestination d : destinations) {
            if (Boolean.TRUE.equals(d.enabled()) && d.snsDestination() != null) {
                topics.add(d.snsDestination().topicArn());
                types.addAll(d.matchingEventTypesAsStrings());
                detail.append(detail.isEmpty() ? "" : "; ").append(String.join(",", d.matchingEventTypesAsStrings()))
                        .append(" → ").append(d.snsDestination().topicArn());
            }
        }
        if (topics.isEmpty()) {
            return Check.fail(check, "no enabled SNS event destination: SES events reach nobody", destinationFix(name, "<topic-arn>"));
        }
        List<String> missing = REQUIRED.stream().filter(t -> !types.contains(t)).toList();
        if (!missing.isEmpty()) {
            return Check.fail(check, String.join(",", missing) + " not published (" + detail + ")",
                    destinationFix(name, topics.iterator().next()));
        }
        List<String> missingRecommended = RECOMMENDED.stream().filter(t -> !types.contains(t)).toList();
        if (!missingRecommended.isEmpty()) {
            return Check.warn(check, detail + " (not: " + String.join(",", missingRecommended) + ")",
                    destinationFix(name, topics.iterator().next()));
        }
        return Check.ok(check, detail.toString());
    }

    private static String destinationFix(String configurationSet, String topicArn) {
        return "aws sesv2 create-configuration-set-event-destination --configuration-set-name " + configurationSet
                + " --event-destination-name mailer-events --event-destination "
                + "'{\"Enabled\":true,\"MatchingEventTypes\":[\"SEND\",\"REJECT\",\"BOUNCE\",\"COMPLAINT\",\"DELIVERY\","
                + "\"DELIVERY_DELAY\",\"RENDERING_FAILURE\"],\"SnsDestination\":{\"TopicArn\":\"" + topicArn + "\"}}'"
                + " (update-configuration-set-event-destination for an existing one)";
    }

    /** The queue's ARN, or null (the failure is reported by the policy check). */
    String queueArn(String queueUrl) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    Check subscription(String topicArn, String queueArn) {
        String check = "SNS subscription: " + shortArn(topicArn);
        String fix = "aws sns subscribe --topic-arn " + topicArn + " --protocol sqs --notification-endpoint " + queueArn;
        List<Subscription> subs = sns.listSubscriptionsByTopic(b -> b.topicArn(topicArn)).subscriptions();
        Subscription toQueue = subs.stream().filter(s -> "sqs".equals(s.protocol()) && queueArn.equals(s.endpoint())).findFirst().orElse(null);
        if (toQueue == null) {
            return Check.fail(check, "the topic does not deliver to " + queueArn + " (" + subs.size() + " other subscription(s))", fix);
        }
        if ("PendingConfirmation".equals(toQueue.subscriptionArn())) {
            return Check.fail(check, "pending confirmation", "delete it and subscribe again (SQS subscriptions confirm at once): " + fix);
        }
        String raw = sns.getSubscriptionAttributes(b -> b.subscriptionArn(toQueue.subscriptionArn())).attributes()
                .getOrDefault("RawMessageDelivery", "false");
        if (Boolean.parseBoolean(raw)) {
            return Check.fail(check, "raw message delivery is on: the feedback service expects SNS envelopes",
                    "aws sns set-subscription-attributes --subscription-arn " + toQueue.subscriptionArn()
                            + " --attribute-name RawMessageDelivery --attribute-value false");
        }
        return Check.ok(check, "→ " + queueArn + " (confirmed, SNS envelopes)");
    }

    /** The queue policy must let every topic send (sqs:SendMessage for sns.amazonaws.com, SourceArn the topic). */
    Check queuePolicy(String queueUrl, String queueArn, Set<String> topics) {
        String check = "queue policy: " + queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        Map<QueueAttributeName, String> attrs = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.POLICY)).attributes();
        String policy = attrs.get(QueueAttributeName.POLICY);
        List<String> denied = new ArrayList<>();
        for (String topic : topics) {
            if (policy == null || !QueuePolicy.allows(Json.MAPPER.readTree(policy), queueArn, topic)) {
                denied.add(topic);
            }
        }
        if (denied.isEmpty()) {
            return Check.ok(check, "lets " + topics.size() + " topic(s) send");
        }
        return Check.fail(check, policy == null ? "no policy: SNS cannot deliver to the queue"
                : "does not let " + String.join(", ", denied) + " send", "aws sqs set-queue-attributes --queue-url " + queueUrl
                        + " --attributes '{\"Policy\":" + Json.MAPPER.writeValueAsString(QueuePolicy.forTopics(queueArn, topics).toString()) + "}'");
    }

    static String shortArn(String arn) {
        return arn.substring(arn.lastIndexOf(':') + 1);
    }

    /** A statement of a queue policy, read just enough to know whether a topic may send. */
    static final class QueuePolicy {

        private QueuePolicy() {
        }

        static boolean allows(JsonNode policy, String queueArn, String topicArn) {
            JsonNode statements = policy.path("Statement");
            for (JsonNode s : each(statements)) {
                if ("Allow".equals(Json.text(s, "Effect")) && anyMatches(s.path("Action"), "sqs:SendMessage")
                        && snsPrincipal(s.path("Principal")) && resourceMatches(s.path("Resource"), queueArn)
                        && sourceMatches(s.path("Condition"), topicArn)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean snsPrincipal(JsonNode principal) {
            return principal.isString() && "*".equals(principal.asString())
                    || anyMatches(principal.path("Service"), "sns.amazonaws.com") || anyMatches(principal.path("AWS"), "*");
        }

        private static boolean resourceMatches(JsonNode resource, String queueArn) {
            return resource.isMissingNode() || anyMatches(resource, queueArn);
        }

        /** No SourceArn condition allows every topic; one allows the topics it names (wildcards * as globs). */
        private static boolean sourceMatches(JsonNode condition, String topicArn) {
            boolean constrained = false;
            for (var op : condition.properties()) {
                JsonNode source = op.getValue().path("aws:SourceArn");
                if (!source.isMissingNode()) {
                    constrained = true;
                    if (anyMatches(source, topicArn)) {
                        return true;
                    }
                }
            }
            return !constrained;
        }

        private static boolean anyMatches(JsonNode values, String wanted) {
            for (JsonNode v : each(values)) {
                if (v.isString() && glob(v.asString(), wanted)) {
                    return true;
                }
            }
            return false;
        }

        /** A policy field holds one value or an array of them. */
        private static Iterable<JsonNode> each(JsonNode node) {
            return node.isArray() ? node : List.of(node);
        }

        private static boolean glob(String pattern, String value) {
            if (pattern.equals("*") || pattern.equalsIgnoreCase(value)) {
                return true;
            }
            String regex = ("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
            return value.matches("(?i)" + regex);
        }

        static JsonNode forTopics(String queueArn, Set<String> topics) {
            var policy = Json.object().put("Version", "2012-10-17");
            var statement = policy.putArray("Statement").addObject().put("Sid", "ses-events-from-sns").put("Effect", "Allow");
            statement.putObject("Principal").put("Service", "sns.amazonaws.com");
            statement.put("Action", "sqs:SendMessage").put("Resource", queueArn);
            var arns = statement.putObject("Condition").putObject("ArnEquals").putArray("aws:SourceArn");
            topics.forEach(arns::add);
            return policy;
        }
    }
}
