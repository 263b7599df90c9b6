package io.mailer.dispatcher.unsubscribe;

import io.mailer.schemas.events.EmailAddresses;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The RFC 8058 headers for one send: {@code List-Unsubscribe: <base/unsubscribe/{token}>} and
 * {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click}. Transactional messages (receipts,
 * password resets) get none: nobody should unsubscribe from those.
 */
public final class UnsubscribeHeaders {

    public static final String LIST_UNSUBSCRIBE = "List-Unsubscribe";
    public static final String LIST_UNSUBSCRIBE_POST = "List-Unsubscribe-Post";

    private final String baseUrl;
    private final UnsubscribeToken tokens;

    public UnsubscribeHeaders(String baseUrl, UnsubscribeToken tokens) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.tokens = tokens;
    }

    public Map<String, String> forSend(SendRequest send) {
        if (send.message().transactional()) {
            return Map.of();
        }
        String token = tokens.issue(send.tenantId(), EmailAddresses.normalize(send.email()));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(LIST_UNSUBSCRIBE, "<" + baseUrl + "/unsubscribe/" + token + ">");
        headers.put(LIST_UNSUBSCRIBE_POST, "List-Unsubscribe=One-Click");
        return headers;
    }
}
