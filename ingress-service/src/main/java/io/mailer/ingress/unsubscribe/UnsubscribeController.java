package io.mailer.ingress.unsubscribe;

import io.mailer.ingress.suppression.SuppressionWriter;
import io.mailer.ingress.system.IngressProperties;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.util.HtmlUtils;
import reactor.core.publisher.Mono;

/**
 * One-click unsubscribe (RFC 8058), without auth: the HMAC token is the credential. GET shows a
 * confirmation page (link scanners follow GETs, so GET never unsubscribes); POST — what mailbox
 * providers send with {@code List-Unsubscribe=One-Click} — writes an UNSUBSCRIBE suppression for
 * the token's tenant and address. A forged, altered or unverifiable token is a plain 404.
 */
@RestController
class UnsubscribeController {

    private final SuppressionWriter writer;
    private final Optional<UnsubscribeToken> tokens;

    public UnsubscribeController(SuppressionWriter writer, IngressProperties props) {
        this.writer = writer;
        String secret = props.unsubscribeSecret();
        this.tokens = secret == null || secret.isBlank() ? Optional.empty() : Optional.of(new UnsubscribeToken(secret));
    }

    @GetMapping(path = "/unsubscribe/{token}", produces = MediaType.TEXT_HTML_VALUE)
    public Mono<String> confirm(@PathVariable String token) {
        UnsubscribeToken.Subscriber who = verify(token);
        return Mono.just(page("Unsubscribe", "<p>Stop sending email to <strong>" + HtmlUtils.htmlEscape(who.email())
                + "</strong>?</p><form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                + "<button type=\"submit\">Unsubscribe</button></form>"));
    }

    @PostMapping(path = "/unsubscribe/{token}", produces = MediaType.TEXT_HTML_VALUE)
    public Mono<String> unsubscribe(@PathVariable String token) {
        UnsubscribeToken.Subscriber who = verify(token);
        Suppression s = new Suppression(who.tenantId(), who.email(), Suppression.Reason.UNSUBSCRIBE,
                "unsubscribe:" + token.substring(token.indexOf('.') + 1, Math.min(token.length(), token.indexOf('.') + 17)),
                Instant.now());
        return writer.put(List.of(s)).thenReturn(page("Unsubscribed",
                "<p><strong>" + HtmlUtils.htmlEscape(who.email()) + "</strong> will receive no more of these emails.</p>"));
    }

    private UnsubscribeToken.Subscriber verify(String token) {
        return tokens.flatMap(t -> t.verify(token))
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "Unknown unsubscribe link."));
    }

    private static String page(String title, String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body><h1>"
                + title + "</h1>" + body + "</body></html>";
    }
}
