package io.mailer.feedback.intake.ses;

import static io.mailer.schemas.events.SesCorrelation.HEADER_BATCH_ID;
import static io.mailer.schemas.events.SesCorrelation.HEADER_SEND_ID;
import static io.mailer.schemas.events.SesCorrelation.HEADER_TENANT;
import static io.mailer.schemas.events.SesCorrelation.TAG_BATCH_ID;
import static io.mailer.schemas.events.SesCorrelation.TAG_SEND_ID;
import static io.mailer.schemas.events.SesCorrelation.TAG_TENANT;

import io.mailer.schemas.events.Ids;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import tools.jackson.databind.JsonNode;

/**
 * Ties an SES message back to the Mailer send it came from.
 *
 * <p>Configuration-set events carry the EmailTags the dispatcher set ({@code mail.tags}, each a
 * list of one value). Identity notifications carry no tags, only the original headers when
 * "include original headers" is on, so {@code X-Mailer-Send-Id} (and {@code X-Mailer-Batch-Id},
 * {@code X-Mailer-Tenant} if present) are the fallback. The batch id, when not given, is the send
 * id up to its last '-' (see {@code Ids.sendId}); the recipient index is what follows.
 */
public record Correlation(String sendId, String batchId, String tenantId, Integer recipientIndex) {


    /** The correlation of an SES {@code mail} object, or empty when the message is not Mailer's. */
    public static Optional<Correlation> of(JsonNode mail) {
        String sendId = firstNonBlank(tag(mail, TAG_SEND_ID), header(mail, HEADER_SEND_ID));
        String tenant = firstNonBlank(tag(mail, TAG_TENANT), header(mail, HEADER_TENANT));
        if (sendId == null || tenant == null) {
            return Optional.empty();
        }
        int dash = sendId.lastIndexOf('-');
        String batchId = firstNonBlank(tag(mail, TAG_BATCH_ID), header(mail, HEADER_BATCH_ID),
                dash > 0 ? sendId.substring(0, dash) : null);
        if (batchId == null) {
            return Optional.empty();
        }
        OptionalInt index = Ids.recipientIndex(sendId, batchId);
        return Optional.of(new Correlation(sendId, batchId, tenant, index.isPresent() ? index.getAsInt() : null));
    }

    /** The batch's own tags among {@code mail.tags}: not Mailer's ({@code mailer_*}) nor SES's ({@code ses:*}). */
    public static java.util.Map<String, String> batchTags(JsonNode mail) {
        java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
        for (var entry : mail.path("tags").properties()) {
            String name = entry.getKey();
            String value = entry.getValue().isArray() ? Texts.text(entry.getValue().path(0)) : Texts.text(entry.getValue());
            if (!name.startsWith("mailer_") && !name.contains(":") && value != null) {
                tags.put(name, value);
            }
        }
        return tags;
    }

    private static String tag(JsonNode mail, String name) {
        JsonNode values = mail.path("tags").path(name);
        return values.isArray() ? Texts.text(values.path(0)) : Texts.text(values);
    }

    private static String header(JsonNode mail, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (JsonNode header : mail.path("headers")) {
            String headerName = Texts.text(header.path("name"));
            if (headerName != null && headerName.toLowerCase(Locale.ROOT).equals(wanted)) {
                return Texts.text(header.path("value"));
            }
        }
        return null;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
