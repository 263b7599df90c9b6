package io.mailer.ingress.webhook;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.web.Page;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookSecret;
import io.mailer.schemas.webhooks.WebhookUrlPolicy;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Webhook endpoints of the key's tenant (scope {@code webhooks}; admin implies it). The signing
 * secret ({@code whsec_} + base64 of 32 random bytes) is shown once, in the create and rotate
 * answers; a rotation keeps the previous secret signing for 24 h, so receivers can switch without
 * a gap. Another tenant's endpoint answers 404, like one that does not exist.
 */
@RestController
@RequestMapping("/api/v1/webhooks")
class WebhookController {

    static final Duration ROTATION_OVERLAP = Duration.ofHours(24);
    static final Duration MAX_REPLAY = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> EVENT_TYPES = Stream.concat(Arrays.stream(EventType.values()).map(Enum::name),
            Stream.of(WebhookEndpoint.TENANT_STATE_CHANGED)).collect(Collectors.toCollection(LinkedHashSet::new));

    public record CreateWebhook(String url, List<String> events, String description, Integer batchSize) {
    }

    public record UpdateWebhook(String url, List<String> events, String description, Integer batchSize, Boolean enabled) {
    }

    public record Replay(String since) {
    }

    public record WebhookView(String id, String url, List<String> events, String description, int batchSize, boolean enabled,
            String disabledReason, Instant disabledAt, Instant createdAt, Instant updatedAt, String secret,
            Instant previousSecretExpiresAt) {

        static WebhookView of(WebhookEndpoint e, String secret, Instant now) {
            Instant previous = e.secrets().stream().map(WebhookSecret::expiresAt)
                    .filter(t -> t != null && t.isAfter(now)).max(Instant::compareTo).orElse(null);
            return new WebhookView(e.id(), e.url(), e.events(), e.description(), e.batchSize(), e.enabled(), e.disabledReason(),
                    e.disabledAt(), e.createdAt(), e.updatedAt(), secret, previous);
        }
    }

    public record Accepted(String id, String status) {
    }

    private final WebhookStore store;
    private final WebhookUrlPolicy urls;
    private final WebhookApiProperties props;
    private final Clock clock;

    public WebhookController(WebhookStore store, WebhookApiProperties props) {
        this.store = store;
        this.props = props;
        this.urls = new WebhookUrlPolicy(props.allowHttp(), props.allowedNetworks());
        this.clock = Clock.systemUTC();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<WebhookView>> create(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestBody CreateWebhook request) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        List<FieldProblem> errors = new ArrayList<>();
        List<String> events = events(request.events(), errors);
        checkDescription(request.description(), errors);
        int batchSize = batchSize(request.batchSize(), errors);
        return checkUrl(request.url(), errors).then(Mono.defer(() -> {
            if (!errors.isEmpty()) {
                return Mono.error(new ValidationException(errors));
            }
            return store.count(principal.tenantId());
        })).flatMap(count -> {
            if (count >= props.maxPerTenant()) {
                return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "This tenant already has " + count
                        + " webhook endpoints, the most allowed; delete one first."));
            }
            Instant now = clock.instant();
            String secret = newSecret();
            WebhookEndpoint e = new WebhookEndpoint("wh_" + random(15), principal.tenantId(), request.url().trim(), events,
                    request.description(), true, null, null, List.of(new WebhookSecret(secret, null)), batchSize, now, now,
                    revision(now, 0));
            return store.write(e).map(written -> ResponseEntity.status(HttpStatus.CREATED)
                    .location(URI.create("/api/v1/webhooks/" + e.id())).body(WebhookView.of(written, secret, now)));
        });
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<WebhookView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        int n = Page.limit(limit);
        String[] after = cursorKey(cursor);
        Instant now = clock.instant();
        return store.list(principal.tenantId(), after == null ? null : Instant.parse(after[0]), after == null ? null : after[1], n + 1)
                .map(rows -> Page.of(rows, n, e -> e.createdAt() + "|" + e.id()))
                .map(page -> new Page<>(page.items().stream().map(e -> WebhookView.of(e, null, now)).toList(), page.nextCursor()));
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<WebhookView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        return existing(principal, id).map(e -> WebhookView.of(e, null, clock.instant()));
    }

    @PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<WebhookView> update(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id,
            @RequestBody UpdateWebhook request) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        List<FieldProblem> errors = new ArrayList<>();
        List<String> events = request.events() == null ? null : events(request.events(), errors);
        checkDescription(request.description(), errors);
        Integer batchSize = request.batchSize() == null ? null : batchSize(request.batchSize(), errors);
        Mono<Void> urlCheck = request.url() == null ? Mono.empty() : checkUrl(request.url(), errors);
        return urlCheck.then(Mono.defer(() -> errors.isEmpty() ? existing(principal, id) : Mono.error(new ValidationException(errors))))
                .flatMap(e -> {
                    Instant now = clock.instant();
                    boolean enabled = request.enabled() == null ? e.enabled() : request.enabled();
                    WebhookEndpoint updated = new WebhookEndpoint(e.id(), e.tenantId(),
                            request.url() == null ? e.url() : request.url().trim(), events == null ? e.events() : events,
                            request.description() == null ? e.description() : request.description(), enabled,
                            enabled ? null : e.disabledReason() != null ? e.disabledReason() : "disabled through the API",
                            enabled ? null : e.disabledAt() != null ? e.disabledAt() : now, e.secrets(),
                            batchSize == null ? e.batchSize() : batchSize, e.createdAt(), now, revision(now, e.revision()));
                    return store.write(updated).map(w -> WebhookView.of(w, null, now));
                });
    }

    @DeleteMapping(path = "/{id}")
    public Mono<ResponseEntity<Void>> delete(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        return existing(principal, id).flatMap(store::delete).thenReturn(ResponseEntity.noContent().build());
    }

    @PostMapping(path = "/{id}/rotate-secret", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<WebhookView> rotate(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        return existing(principal, id).flatMap(e -> {
            Instant now = clock.instant();
            String secret = newSecret();
            List<WebhookSecret> secrets = new ArrayList<>();
            secrets.add(new WebhookSecret(secret, null));
            // the current one signs 24 h more; older ones keep their own (earlier) end
            for (WebhookSecret s : e.secrets()) {
                Instant end = s.expiresAt() == null ? now.plus(ROTATION_OVERLAP) : s.expiresAt();
                if (end.isAfter(now)) {
                    secrets.add(new WebhookSecret(s.secret(), end));
                }
            }
            WebhookEndpoint rotated = new WebhookEndpoint(e.id(), e.tenantId(), e.url(), e.events(), e.description(), e.enabled(),
                    e.disabledReason(), e.disabledAt(), secrets, e.batchSize(), e.createdAt(), now, revision(now, e.revision()));
            return store.write(rotated).map(w -> WebhookView.of(w, secret, now));
        });
    }

    @PostMapping(path = "/{id}/test", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Accepted>> test(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        return existing(principal, id).flatMap(e -> {
            String commandId = random(15);
            return store.command(new WebhookCommand(WebhookCommand.Type.TEST, commandId, e.id(), e.tenantId(), null, clock.instant()))
                    .thenReturn(ResponseEntity.accepted().body(new Accepted("msg_test_" + commandId, "QUEUED")));
        });
    }

    @GetMapping(path = "/{id}/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<WebhookStore.DeliveryRow>> deliveries(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id, @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        int n = Page.limit(limit);
        String[] after = cursorKey(cursor);
        return existing(principal, id).flatMap(e -> store.deliveries(e.id(), after == null ? null : Instant.parse(after[0]),
                        after == null ? null : after[1], n + 1))
                .map(rows -> Page.of(rows, n, d -> d.createdAt() + "|" + d.messageId()));
    }

    @PostMapping(path = "/{id}/replay", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Accepted>> replay(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id, @RequestBody Replay request) {
        principal.require(ApiPrincipal.Scope.WEBHOOKS);
        Instant now = clock.instant();
        Instant since;
        try {
            since = request.since() == null ? null : Instant.parse(request.since());
        } catch (DateTimeParseException ex) {
            since = null;
        }
        if (since == null) {
            throw new ValidationException(List.of(new FieldProblem("since", "must be an ISO-8601 instant such as 2026-12-01T00:00:00Z")));
        }
        if (since.isAfter(now) || since.isBefore(now.minus(MAX_REPLAY))) {
            throw new ValidationException(List.of(new FieldProblem("since", "must be within the last 30 days")));
        }
        Instant from = since;
        return existing(principal, id).flatMap(e -> {
            if (!e.enabled()) {
                return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
                        "The endpoint is disabled; enable it (PATCH {\"enabled\":true}) before replaying."));
            }
            String commandId = random(15);
            return store.command(new WebhookCommand(WebhookCommand.Type.REPLAY, commandId, e.id(), e.tenantId(), from, now))
                    .thenReturn(ResponseEntity.accepted().body(new Accepted("rpl_" + commandId, "QUEUED")));
        });
    }

    private Mono<WebhookEndpoint> existing(ApiPrincipal principal, String id) {
        return store.find(principal.tenantId(), id)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No webhook " + id + ".")));
    }

    /** The URL rules, DNS included (blocking: on the bounded-elastic pool); adds a problem naming the rule. */
    private Mono<Void> checkUrl(String url, List<FieldProblem> errors) {
        WebhookUrlPolicy.Refusal syntax = urls.checkSyntax(url);
        if (syntax != null) {
            errors.add(new FieldProblem("url", syntax.message() + " [rule: " + syntax.rule() + "]"));
            return Mono.empty();
        }
        return Mono.fromCallable(() -> java.util.Optional.ofNullable(urls.check(url)))
                .subscribeOn(Schedulers.boundedElastic())
                .doOnNext(r -> r.ifPresent(refusal ->
                        errors.add(new FieldProblem("url", refusal.message() + " [rule: " + refusal.rule() + "]"))))
                .then();
    }

    private static List<String> events(List<String> requested, List<FieldProblem> errors) {
        if (requested == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : requested) {
            String name = s == null ? "" : s.trim().toUpperCase(Locale.ROOT);
            if (!EVENT_TYPES.contains(name)) {
                errors.add(new FieldProblem("events", "'" + s + "' is not one of " + String.join(", ", EVENT_TYPES)));
            } else {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    private static void checkDescription(String description, List<FieldProblem> errors) {
        if (description != null && description.length() > 500) {
            errors.add(new FieldProblem("description", "is longer than 500 characters"));
        }
    }

    private static int batchSize(Integer requested, List<FieldProblem> errors) {
        if (requested == null) {
            return 1;
        }
        if (requested < 1 || requested > 100) {
            errors.add(new FieldProblem("batchSize", "must be between 1 and 100"));
            return 1;
        }
        return requested;
    }

    private static String[] cursorKey(String cursor) {
        String key = Page.decode(cursor);
        if (key == null) {
            return null;
        }
        int bar = key.indexOf('|');
        try {
            if (bar < 0) {
                throw new DateTimeParseException("no separator", key, 0);
            }
            Instant.parse(key.substring(0, bar));
        } catch (DateTimeParseException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "cursor is not a cursor this API returned");
        }
        return new String[] {key.substring(0, bar), key.substring(bar + 1)};
    }

    /** Increases with every write (microseconds, at least one more than the last). */
    private static long revision(Instant now, long previous) {
        return Math.max(previous + 1, now.toEpochMilli() * 1000);
    }

    private static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return WebhookSecret.PREFIX + Base64.getEncoder().encodeToString(key);
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('-', 'x').replace('_', 'y');
    }
}
