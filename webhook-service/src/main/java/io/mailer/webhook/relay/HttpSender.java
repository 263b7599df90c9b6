package io.mailer.webhook.relay;

import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookUrlPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One POST with the Standard Webhooks headers. Redirects are never followed (a 3xx is a failed
 * attempt). The URL is checked against the SSRF policy before the request, with the host resolved
 * again at most every 30 s (a name moved to a private address is refused within that time; the
 * resolution the JDK client makes for the connection itself is not pinned — see the module README).
 * Resolution is blocking, so it runs on its own small pool, never on the consumer thread.
 */
public final class HttpSender implements Poster, AutoCloseable {

    private static final long CHECK_TTL_MS = 30_000;
    public static final String USER_AGENT = "Mailer-Webhooks/1";

    private record Check(WebhookUrlPolicy.Refusal refusal, long at) {
    }

    private final HttpClient client;
    private final WebhookUrlPolicy policy;
    private final Duration timeout;
    private final Clock clock;
    private final ExecutorService resolvers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "webhook-resolver");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Check> checks = new ConcurrentHashMap<>();

    public HttpSender(WebhookUrlPolicy policy, Duration timeout, Clock clock) {
        this.policy = policy;
        this.timeout = timeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(Math.min(10, timeout.toSeconds())))
                .build();
    }

    @Override
    public CompletableFuture<Attempt> post(WebhookEndpoint endpoint, String messageId, String body) {
        long started = System.nanoTime();
        return refusal(endpoint.url()).thenCompose(refusal -> {
            if (refusal != null) {
                return CompletableFuture.completedFuture(new Attempt(0, 0, "url refused (" + refusal.rule() + "): " + refusal.message()));
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            long ts = clock.instant().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .timeout(timeout)
                    .header("content-type", "application/json")
                    .header("user-agent", USER_AGENT)
                    .header("webhook-id", messageId)
                    .header("webhook-timestamp", Long.toString(ts))
                    .header("webhook-signature", Signer.signatureHeader(messageId, ts, bytes, endpoint.signingSecrets(clock.instant())))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                    .build();
            return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    // a kept-alive connection the receiver had closed fails before any answer ("header
                    // parser received no bytes"): once more on a fresh one, not a failure of the endpoint
                    .exceptionallyCompose(e -> staleConnection(e)
                            ? client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                            : CompletableFuture.failedFuture(e))
                    .handle((response, error) -> {
                        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                        if (error != null) {
                            Throwable cause = error.getCause() != null ? error.getCause() : error;
                            return new Attempt(0, ms, cause.getClass().getSimpleName()
                                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
                        }
                        return new Attempt(response.statusCode(), ms, null);
                    });
        });
    }

    /** An I/O failure that is neither a timeout nor a refused connection: the connection, not the endpoint. */
    static boolean staleConnection(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof java.io.IOException && !(cause instanceof java.net.http.HttpTimeoutException)
                && !(cause instanceof java.net.ConnectException);
    }

    private CompletableFuture<WebhookUrlPolicy.Refusal> refusal(String url) {
        Check cached = checks.get(url);
        long now = clock.millis();
        if (cached != null && now - cached.at() < CHECK_TTL_MS) {
            return CompletableFuture.completedFuture(cached.refusal());
        }
        return CompletableFuture.supplyAsync(() -> {
            WebhookUrlPolicy.Refusal r = policy.check(url);
            if (checks.size() > 100_000) {
                checks.clear();
            }
            checks.put(url, new Check(r, clock.millis()));
            return r;
        }, resolvers);
    }

    @Override
    public void close() {
        resolvers.shutdownNow();
    }
}
