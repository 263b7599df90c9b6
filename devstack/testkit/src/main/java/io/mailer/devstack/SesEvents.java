package io.mailer.devstack;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds SES configuration-set events (top-level {@code eventType}) in the documented format, and
 * the SNS envelope SES puts them in when a topic delivers to SQS without raw delivery.
 */
final class SesEvents {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String REPORTING_MTA = "a8-70.smtp-out.amazonses.com";

    private final String region;
    private final String accountId;
    private final String topicArn;
    private final String defaultConfigurationSet;

    SesEvents(String region, String accountId, String topicArn, String defaultConfigurationSet) {
        this.region = region;
        this.accountId = accountId;
        this.topicArn = topicArn;
        this.defaultConfigurationSet = defaultConfigurationSet;
    }

    static String timestamp(Instant instant) {
        return ISO_MILLIS.format(instant);
    }

    /** An SES-looking message or feedback id: {@code 0100<hex time>-<uuid>-000000}. */
    static String sesId() {
        return String.format("0100%012x-%s-000000", System.currentTimeMillis(), UUID.randomUUID());
    }

    ObjectNode delivery(SesSandbox.SentMessage m, String recipient, Instant at) {
        ObjectNode event = event("Delivery", m);
        ObjectNode delivery = event.putObject("delivery");
        delivery.put("timestamp", timestamp(at));
        delivery.put("processingTimeMillis", Math.max(0, at.toEpochMilli() - m.receivedAt().toEpochMilli()));
        delivery.putArray("recipients").add(recipient);
        delivery.put("smtpResponse", "250 2.6.0 Message received");
        delivery.put("remoteMtaIp", "127.0.2.0");
        delivery.put("reportingMTA", REPORTING_MTA);
        return event;
    }

    ObjectNode bounce(SesSandbox.SentMessage m, String recipient, Instant at, boolean onSuppressionList) {
        ObjectNode event = event("Bounce", m);
        ObjectNode bounce = event.putObject("bounce");
        bounce.put("feedbackId", sesId());
        bounce.put("bounceType", "Permanent");
        bounce.put("bounceSubType", onSuppressionList ? "OnAccountSuppressionList" : "General");
        ObjectNode bounced = bounce.putArray("bouncedRecipients").addObject();
        bounced.put("emailAddress", recipient);
        bounced.put("action", "failed");
        bounced.put("status", "5.1.1");
        bounced.put("diagnosticCode", onSuppressionList
                ? "Amazon SES did not send the message to this address because it is on the suppression list for your account."
                : "smtp; 550 5.1.1 user unknown");
        bounce.put("timestamp", timestamp(at));
        bounce.put("reportingMTA", onSuppressionList ? "dns; amazonses.com" : "dsn; " + REPORTING_MTA);
        return event;
    }

    ObjectNode complaint(SesSandbox.SentMessage m, String recipient, Instant at) {
        ObjectNode event = event("Complaint", m);
        ObjectNode complaint = event.putObject("complaint");
        complaint.put("feedbackId", sesId());
        complaint.putNull("complaintSubType");
        complaint.putArray("complainedRecipients").addObject().put("emailAddress", recipient);
        complaint.put("timestamp", timestamp(at));
        complaint.put("userAgent", "Amazon SES Mailbox Simulator");
        complaint.put("complaintFeedbackType", "abuse");
        complaint.put("arrivalDate", timestamp(at));
        return event;
    }

    private ObjectNode event(String type, SesSandbox.SentMessage m) {
        ObjectNode event = JSON.createObjectNode();
        event.put("eventType", type);
        event.set("mail", mail(m));
        return event;
    }

    private ObjectNode mail(SesSandbox.SentMessage m) {
        ObjectNode mail = JSON.createObjectNode();
        mail.put("timestamp", timestamp(m.receivedAt()));
        mail.put("source", bareAddress(m.from()));
        mail.put("sourceArn", "arn:aws:ses:" + region + ":" + accountId + ":identity/" + domainOf(m.from()));
        mail.put("sendingAccountId", accountId);
        mail.put("messageId", m.messageId());
        ArrayNode destination = mail.putArray("destination");
        m.recipients().forEach(destination::add);
        mail.put("headersTruncated", false);
        ArrayNode headers = mail.putArray("headers");
        for (Map.Entry<String, String> h : allHeaders(m)) {
            headers.addObject().put("name", h.getKey()).put("value", h.getValue());
        }
        ObjectNode common = mail.putObject("commonHeaders");
        common.putArray("from").add(m.from());
        ArrayNode to = common.putArray("to");
        m.to().forEach(to::add);
        if (!m.replyTo().isEmpty()) {
            ArrayNode replyTo = common.putArray("replyTo");
            m.replyTo().forEach(replyTo::add);
        }
        common.put("messageId", m.messageId());
        common.put("subject", m.subject());
        ObjectNode tags = mail.putObject("tags");
        String configurationSet = m.configurationSet() != null ? m.configurationSet() : defaultConfigurationSet;
        tags.putArray("ses:configuration-set").add(configurationSet);
        tags.putArray("ses:source-ip").add("127.0.0.1");
        tags.putArray("ses:from-domain").add(domainOf(m.from()));
        tags.putArray("ses:caller-identity").add("mailer-sandbox");
        m.tags().forEach((name, value) -> tags.putArray(name).add(value));
        return mail;
    }

    /** The headers SES itself writes, then the message's own (custom) headers. */
    private static List<Map.Entry<String, String>> allHeaders(SesSandbox.SentMessage m) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("From", m.from()));
        if (!m.replyTo().isEmpty()) {
            headers.add(Map.entry("Reply-To", String.join(", ", m.replyTo())));
        }
        if (!m.to().isEmpty()) {
            headers.add(Map.entry("To", String.join(", ", m.to())));
        }
        headers.add(Map.entry("Subject", m.subject() == null ? "" : m.subject()));
        headers.add(Map.entry("MIME-Version", "1.0"));
        headers.add(Map.entry("Content-Type", "multipart/alternative"));
        headers.addAll(m.headers().entrySet());
        return headers;
    }

    /** The SNS notification SQS receives from the SES event topic (raw delivery off). */
    ObjectNode snsEnvelope(ObjectNode sesEvent, Instant at) {
        ObjectNode sns = JSON.createObjectNode();
        sns.put("Type", "Notification");
        sns.put("MessageId", UUID.randomUUID().toString());
        sns.put("TopicArn", topicArn);
        sns.put("Subject", "Amazon SES Email Event Notification");
        sns.put("Message", JSON.writeValueAsString(sesEvent));
        sns.put("Timestamp", timestamp(at));
        sns.put("SignatureVersion", "1");
        sns.put("Signature", "");
        sns.put("SigningCertURL", "https://sns." + region + ".amazonaws.com/SimpleNotificationService-sandbox.pem");
        sns.put("UnsubscribeURL", "https://sns." + region + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                + topicArn + ":" + UUID.randomUUID());
        return sns;
    }

    /** {@code a@b} out of {@code "Name <a@b>"} (or the trimmed input when there are no brackets). */
    static String bareAddress(String address) {
        if (address == null) {
            return "";
        }
        String a = address.trim();
        int lt = a.lastIndexOf('<');
        if (lt >= 0) {
            int gt = a.indexOf('>', lt);
            a = a.substring(lt + 1, gt < 0 ? a.length() : gt).trim();
        }
        return a;
    }

    private static String domainOf(String address) {
        String a = bareAddress(address);
        int at = a.lastIndexOf('@');
        return at < 0 ? a : a.substring(at + 1);
    }
}
