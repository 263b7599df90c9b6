package io.mailer.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SES v2 REST-JSON surface the AWS SDK v2 uses for SendEmail, SendBulkEmail and GetAccount,
 * plus two read-only pages for humans ({@code GET /_sandbox/messages}, {@code GET /store}).
 * Errors are typed the way the SDK expects: {@code x-amzn-ErrorType} header + {"message": ...}.
 */
final class SesHttpApi implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(SesHttpApi.class);
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{\\{\\{?\\s*([\\w.-]+)\\s*}?}}");

    private static final String IDENTITIES = "/v2/email/identities/";
    private static final String CONFIGURATION_SETS = "/v2/email/configuration-sets/";

    private final SesSandbox sandbox;
    private final SesFaults faults;
    private final SnsQueryApi sns;
    private final SqsJsonApi sqs;

    SesHttpApi(SesSandbox sandbox, SesFaults faults) {
        this.sandbox = sandbox;
        this.faults = faults;
        this.sns = new SnsQueryApi(sandbox.account());
        this.sqs = new SqsJsonApi(sandbox.account());
    }

    private static final class SesFailure extends RuntimeException {
        final SesError error;

        SesFailure(SesError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (method.equals("POST") && path.equals("/") && target != null && target.startsWith(SqsJsonApi.TARGET_PREFIX)) {
                sqs.handle(exchange, target); // the read-only SNS and SQS calls share the sandbox's endpoint
                return;
            }
            if (method.equals("POST") && path.equals("/")) {
                sns.handle(exchange);
                return;
            }
            try {
                JsonNode response = route(method, path, exchange);
                writeJson(exchange, 200, response);
            } catch (SesFailure f) {
                writeError(exchange, f.error);
            } catch (JacksonException e) {
                writeError(exchange, SesError.of("BadRequestException", "Malformed JSON body: " + e.getOriginalMessage()));
            } catch (RuntimeException e) {
                log.warn("SES sandbox failed on {} {}", method, path, e);
                writeError(exchange, new SesError(500, "InternalFailure", "Sandbox bug: " + e));
            }
        }
    }

    private JsonNode route(String method, String path, HttpExchange exchange) throws IOException {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (method.equals("GET") && p.startsWith(IDENTITIES)) {
            return getEmailIdentity(p.substring(IDENTITIES.length()));
        }
        if (method.equals("GET") && p.startsWith(CONFIGURATION_SETS) && p.endsWith("/event-destinations")) {
            return getEventDestinations(p.substring(CONFIGURATION_SETS.length(), p.length() - "/event-destinations".length()));
        }
        return switch (method + " " + p) {
            case "POST /v2/email/outbound-emails" -> sendEmail(readBody(exchange));
            case "POST /v2/email/outbound-bulk-emails" -> sendBulkEmail(readBody(exchange));
            case "GET /v2/email/account" -> getAccount();
            case "GET /_sandbox/messages" -> SesEvents.JSON.valueToTree(sandbox.sent());
            case "GET /store" -> SesEvents.JSON.createObjectNode().set("emails", SesEvents.JSON.valueToTree(sandbox.sent()));
            default -> throw new SesFailure(new SesError(404, "NotFoundException",
                    "The SES sandbox does not implement " + method + " " + path));
        };
    }

    private JsonNode sendEmail(JsonNode request) {
        sleep(faults.latency());
        failIfPresent(faults.requestFault());
        JsonNode content = request.path("Content");
        JsonNode destination = request.path("Destination");
        List<String> to = strings(destination.path("ToAddresses"));
        List<String> cc = strings(destination.path("CcAddresses"));
        List<String> bcc = strings(destination.path("BccAddresses"));
        List<String> all = concat(to, cc, bcc);
        if (all.isEmpty() && !content.has("Raw")) {
            throw new SesFailure(SesError.of("BadRequestException", "Missing final '@domain'"));
        }
        failIfPresent(faults.messageFault(all));

        Rendered rendered = render(content, Map.of());
        Map<String, String> tags = tags(request.path("EmailTags"), Map.of());
        String from = text(request, "FromEmailAddress");
        if (from == null && rendered.rawFrom != null) {
            from = rendered.rawFrom;
        }
        SesSandbox.SentMessage message = new SesSandbox.SentMessage(SesEvents.sesId(), from,
                to.isEmpty() && rendered.rawTo != null ? rendered.rawTo : to,
                rendered.subject, rendered.html, rendered.text, rendered.headers, tags,
                text(request, "ConfigurationSetName"), Instant.now(),
                strings(request.path("ReplyToAddresses")), cc, bcc);
        sandbox.accept(message);
        return SesEvents.JSON.createObjectNode().put("MessageId", message.messageId());
    }

    private JsonNode sendBulkEmail(JsonNode request) {
        sleep(faults.latency());
        failIfPresent(faults.requestFault());
        JsonNode template = request.path("DefaultContent").path("Template");
        Map<String, String> defaultTags = tags(request.path("DefaultEmailTags"), Map.of());
        Map<String, Object> defaultData = templateData(text(template, "TemplateData"));
        ObjectNode response = SesEvents.JSON.createObjectNode();
        ArrayNode results = response.putArray("BulkEmailEntryResults");
        for (JsonNode entry : request.path("BulkEmailEntries")) {
            JsonNode destination = entry.path("Destination");
            List<String> to = strings(destination.path("ToAddresses"));
            List<String> cc = strings(destination.path("CcAddresses"));
            List<String> bcc = strings(destination.path("BccAddresses"));
            Optional<SesError> fault = faults.messageFault(concat(to, cc, bcc));
            if (fault.isPresent()) {
                results.addObject().put("Status", fault.get().bulkStatus()).put("Error", fault.get().message());
                continue;
            }
            Map<String, Object> data = new LinkedHashMap<>(defaultData);
            data.putAll(templateData(text(entry.path("ReplacementEmailContent").path("ReplacementTemplate"),
                    "ReplacementTemplateData")));
            Rendered rendered;
            try {
                rendered = renderTemplate(template, data);
            } catch (SesFailure f) {
                results.addObject().put("Status", f.error.bulkStatus()).put("Error", f.error.message());
                continue;
            }
            Map<String, String> headers = new LinkedHashMap<>(rendered.headers);
            headers.putAll(headerMap(entry.path("ReplacementHeaders")));
            SesSandbox.SentMessage message = new SesSandbox.SentMessage(SesEvents.sesId(),
                    text(request, "FromEmailAddress"), to, rendered.subject, rendered.html, rendered.text, headers,
                    tags(entry.path("ReplacementTags"), defaultTags), text(request, "ConfigurationSetName"),
                    Instant.now(), strings(request.path("ReplyToAddresses")), cc, bcc);
            sandbox.accept(message);
            results.addObject().put("Status", "SUCCESS").put("MessageId", message.messageId());
        }
        return response;
    }

    private JsonNode getAccount() {
        ObjectNode account = SesEvents.JSON.createObjectNode();
        account.put("DedicatedIpAutoWarmupEnabled", false);
        account.put("EnforcementStatus", "HEALTHY");
        account.put("ProductionAccessEnabled", sandbox.account().productionAccess());
        account.put("SendingEnabled", faults.sendingEnabled());
        ObjectNode quota = account.putObject("SendQuota");
        quota.put("Max24HourSend", sandbox.config().max24HourSend());
        quota.put("MaxSendRate", faults.maxSendRate());
        quota.put("SentLast24Hours", (double) sandbox.recipientsSent());
        account.putObject("SuppressionAttributes").putArray("SuppressedReasons").add("BOUNCE").add("COMPLAINT");
        return account;
    }

    private JsonNode getEmailIdentity(String name) {
        SandboxAccount.Identity identity = sandbox.account().identity(name);
        if (identity == null) {
            throw new SesFailure(new SesError(404, "NotFoundException", "Email identity " + name + " does not exist."));
        }
        ObjectNode answer = SesEvents.JSON.createObjectNode();
        answer.put("IdentityType", name.contains("@") ? "EMAIL_ADDRESS" : "DOMAIN");
        answer.put("VerifiedForSendingStatus", identity.verified());
        answer.put("VerificationStatus", identity.verified() ? "SUCCESS" : "PENDING");
        answer.putObject("DkimAttributes").put("SigningEnabled", "SUCCESS".equals(identity.dkimStatus()))
                .put("Status", identity.dkimStatus());
        return answer;
    }

    private JsonNode getEventDestinations(String configurationSet) {
        List<SandboxAccount.EventDestination> destinations = sandbox.account().eventDestinations(configurationSet);
        if (destinations == null) {
            throw new SesFailure(new SesError(404, "NotFoundException", "Configuration set " + configurationSet + " does not exist."));
        }
        ObjectNode answer = SesEvents.JSON.createObjectNode();
        ArrayNode list = answer.putArray("EventDestinations");
        for (SandboxAccount.EventDestination d : destinations) {
            ObjectNode node = list.addObject().put("Name", d.name()).put("Enabled", d.enabled());
            d.eventTypes().forEach(node.putArray("MatchingEventTypes")::add);
            if (d.snsTopicArn() != null) {
                node.putObject("SnsDestination").put("TopicArn", d.snsTopicArn());
            }
        }
        return answer;
    }

    /** Subject/bodies/headers of a Simple, Template or Raw content. */
    private record Rendered(String subject, String html, String text, Map<String, String> headers,
                            String rawFrom, List<String> rawTo) {
    }

    private Rendered render(JsonNode content, Map<String, Object> extraData) {
        if (content.has("Simple")) {
            JsonNode simple = content.path("Simple");
            return new Rendered(text(simple.path("Subject"), "Data"),
                    text(simple.path("Body").path("Html"), "Data"),
                    text(simple.path("Body").path("Text"), "Data"),
                    headerMap(simple.path("Headers")), null, null);
        }
        if (content.has("Template")) {
            JsonNode template = content.path("Template");
            Map<String, Object> data = new LinkedHashMap<>(templateData(text(template, "TemplateData")));
            data.putAll(extraData);
            return renderTemplate(template, data);
        }
        if (content.has("Raw")) {
            return parseRaw(text(content.path("Raw"), "Data"));
        }
        throw new SesFailure(SesError.of("BadRequestException", "Content must be Simple, Raw or Template"));
    }

    /** Only inline templates (TemplateContent): the sandbox stores no templates. */
    private Rendered renderTemplate(JsonNode template, Map<String, Object> data) {
        JsonNode inline = template.path("TemplateContent");
        if (inline.isMissingNode() || inline.isNull()) {
            String name = text(template, "TemplateName");
            throw new SesFailure(SesError.of("NotFoundException", "Template " + name + " does not exist."));
        }
        Function<String, String> fill = s -> s == null ? null : substitute(s, data);
        return new Rendered(fill.apply(text(inline, "Subject")), fill.apply(text(inline, "Html")),
                fill.apply(text(inline, "Text")), headerMap(template.path("Headers")), null, null);
    }

    private static String substitute(String template, Map<String, Object> data) {
        Matcher m = TEMPLATE_VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object value = lookup(data, m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : String.valueOf(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Object lookup(Map<String, Object> data, String dottedName) {
        Object current = data;
        for (String part : dottedName.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = ((Map<String, Object>) map).get(part);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> templateData(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            return SesEvents.JSON.readValue(json, Map.class);
        } catch (JacksonException e) {
            throw new SesFailure(SesError.of("BadRequestException", "TemplateData is not a JSON object"));
        }
    }

    /** Enough MIME to record From/To/Subject and custom headers of a raw message. */
    private static Rendered parseRaw(String base64) {
        if (base64 == null) {
            throw new SesFailure(SesError.of("BadRequestException", "Raw.Data is required"));
        }
        String mime = new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
        int split = mime.indexOf("\r\n\r\n");
        int sepLen = 4;
        if (split < 0) {
            split = mime.indexOf("\n\n");
            sepLen = 2;
        }
        String head = split < 0 ? mime : mime.substring(0, split);
        String body = split < 0 ? "" : mime.substring(split + sepLen);
        Map<String, String> headers = new LinkedHashMap<>();
        String last = null;
        for (String line : head.split("\r?\n")) {
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                headers.put(last, headers.get(last) + " " + line.trim());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                last = line.substring(0, colon).trim();
                headers.put(last, line.substring(colon + 1).trim());
            }
        }
        String subject = headers.remove("Subject");
        String from = headers.remove("From");
        String to = headers.remove("To");
        List<String> toList = to == null ? List.of() : List.of(to.split("\\s*,\\s*"));
        boolean html = String.valueOf(headers.get("Content-Type")).toLowerCase().startsWith("text/html");
        return new Rendered(subject, html ? body : null, html ? null : body, headers, from, toList);
    }

    private static Map<String, String> headerMap(JsonNode headers) {
        Map<String, String> map = new LinkedHashMap<>();
        for (JsonNode h : headers) {
            map.put(text(h, "Name"), text(h, "Value"));
        }
        return map;
    }

    private static Map<String, String> tags(JsonNode tags, Map<String, String> defaults) {
        Map<String, String> map = new LinkedHashMap<>(defaults);
        for (JsonNode t : tags) {
            map.put(text(t, "Name"), text(t, "Value"));
        }
        return map;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        for (JsonNode n : array) {
            list.add(n.asString());
        }
        return list;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isMissingNode() ? null : v.asString();
    }

    private static void failIfPresent(Optional<SesError> error) {
        if (error.isPresent()) {
            throw new SesFailure(error.get());
        }
    }

    private static void sleep(Duration latency) {
        if (latency.isZero() || latency.isNegative()) {
            return;
        }
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            return bytes.length == 0 ? SesEvents.JSON.createObjectNode() : SesEvents.JSON.readTree(bytes);
        }
    }

    private static void writeJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = SesEvents.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void writeError(HttpExchange exchange, SesError error) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", error.code());
        writeJson(exchange, error.status(), SesEvents.JSON.createObjectNode().put("message", error.message()));
    }
}
