package io.mailer.devstack;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The two read-only SNS calls a setup check makes, in SNS's AWS Query protocol (form POST to
 * {@code /}, XML answer), from {@link SandboxAccount}: ListSubscriptionsByTopic and
 * GetSubscriptionAttributes. Subscription ARNs are {@code <topicArn>:<index>}.
 */
final class SnsQueryApi {

    private static final String NS = "http://sns.amazonaws.com/doc/2010-03-31/";

    private final SandboxAccount account;

    SnsQueryApi(SandboxAccount account) {
        this.account = account;
    }

    void handle(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String action = form.getOrDefault("Action", "");
        switch (action) {
            case "ListSubscriptionsByTopic" -> listSubscriptions(exchange, form.getOrDefault("TopicArn", ""));
            case "GetSubscriptionAttributes" -> subscriptionAttributes(exchange, form.getOrDefault("SubscriptionArn", ""));
            default -> error(exchange, 400, "InvalidAction", "The SES sandbox's SNS does not implement " + action);
        }
    }

    private void listSubscriptions(HttpExchange exchange, String topicArn) throws IOException {
        StringBuilder members = new StringBuilder();
        List<SandboxAccount.Subscription> subs = account.subscriptions(topicArn);
        for (int i = 0; i < subs.size(); i++) {
            SandboxAccount.Subscription s = subs.get(i);
            members.append("<member><TopicArn>").append(xml(topicArn)).append("</TopicArn><Protocol>").append(xml(s.protocol()))
                    .append("</Protocol><SubscriptionArn>").append(s.confirmed() ? xml(topicArn + ":" + i) : "PendingConfirmation")
                    .append("</SubscriptionArn><Owner>000000000000</Owner><Endpoint>").append(xml(s.endpoint()))
                    .append("</Endpoint></member>");
        }
        ok(exchange, "ListSubscriptionsByTopic", "<Subscriptions>" + members + "</Subscriptions>");
    }

    private void subscriptionAttributes(HttpExchange exchange, String subscriptionArn) throws IOException {
        int colon = subscriptionArn.lastIndexOf(':');
        List<SandboxAccount.Subscription> subs = colon < 0 ? List.of() : account.subscriptions(subscriptionArn.substring(0, colon));
        int index;
        try {
            index = Integer.parseInt(subscriptionArn.substring(colon + 1));
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= subs.size()) {
            error(exchange, 404, "NotFound", "Subscription does not exist");
            return;
        }
        SandboxAccount.Subscription s = subs.get(index);
        String entries = entry("Protocol", s.protocol()) + entry("Endpoint", s.endpoint())
                + entry("RawMessageDelivery", Boolean.toString(s.rawMessageDelivery()))
                + entry("PendingConfirmation", Boolean.toString(!s.confirmed()));
        ok(exchange, "GetSubscriptionAttributes", "<Attributes>" + entries + "</Attributes>");
    }

    private static String entry(String key, String value) {
        return "<entry><key>" + xml(key) + "</key><value>" + xml(value) + "</value></entry>";
    }

    private static void ok(HttpExchange exchange, String action, String result) throws IOException {
        write(exchange, 200, "<" + action + "Response xmlns=\"" + NS + "\"><" + action + "Result>" + result + "</" + action
                + "Result><ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></" + action + "Response>");
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        write(exchange, status, "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>"
                + xml(message) + "</Message></Error><RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>");
    }

    private static void write(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static String xml(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
