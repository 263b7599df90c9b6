package io.mailer.devstack;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * GetQueueAttributes (QueueArn, Policy) in SQS's JSON protocol, from {@link SandboxAccount}: setup
 * checks read the event queue's policy here, because ElasticMQ (which carries the messages) keeps
 * no policy. Every other SQS call belongs to ElasticMQ.
 */
final class SqsJsonApi {

    static final String TARGET_PREFIX = "AmazonSQS.";

    private final SandboxAccount account;

    SqsJsonApi(SandboxAccount account) {
        this.account = account;
    }

    void handle(HttpExchange exchange, String target) throws IOException {
        JsonNode request = SesEvents.JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (!target.equals(TARGET_PREFIX + "GetQueueAttributes")) {
            error(exchange, "UnsupportedOperation", "The SES sandbox answers only GetQueueAttributes; use ElasticMQ for " + target);
            return;
        }
        String url = request.path("QueueUrl").asString("");
        SandboxAccount.Queue queue = account.queue(url);
        if (queue == null) {
            error(exchange, "QueueDoesNotExist", "The specified queue does not exist: " + url);
            return;
        }
        ObjectNode answer = SesEvents.JSON.createObjectNode();
        ObjectNode attributes = answer.putObject("Attributes");
        attributes.put("QueueArn", queue.arn());
        if (queue.policy() != null) {
            attributes.put("Policy", queue.policy());
        }
        write(exchange, 200, answer);
    }

    private static void error(HttpExchange exchange, String code, String message) throws IOException {
        write(exchange, 400, SesEvents.JSON.createObjectNode().put("__type", "com.amazonaws.sqs#" + code).put("message", message));
    }

    private static void write(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = SesEvents.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
