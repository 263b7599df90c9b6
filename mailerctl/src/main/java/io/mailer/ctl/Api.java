package io.mailer.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The Mailer REST API over the JDK HttpClient: JSON calls, and streamed bodies both ways. */
final class Api {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final Config config;

    Api(Config config) {
        this.config = config;
        // HTTP/1.1: the ingress streams NDJSON bodies chunked; no upgrade dance on plain http
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    JsonNode get(String path) {
        return json("GET", path, HttpRequest.BodyPublishers.noBody(), null);
    }

    JsonNode delete(String path) {
        return json("DELETE", path, HttpRequest.BodyPublishers.noBody(), null);
    }

    JsonNode post(String path, JsonNode body) {
        return json("POST", path, HttpRequest.BodyPublishers.ofString(body.toString()), "application/json");
    }

    JsonNode put(String path, JsonNode body) {
        return json("PUT", path, HttpRequest.BodyPublishers.ofString(body.toString()), "application/json");
    }

    /** POST of a streamed body (no timeout: a large file takes as long as it takes); JSON answer. */
    JsonNode postStream(String path, String contentType, HttpRequest.BodyPublisher body, Map<String, String> headers) {
        HttpRequest.Builder request = request(path).POST(body).header("Content-Type", contentType);
        headers.forEach(request::header);
        return answer("POST", path, send(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** GET whose body is copied as it arrives (exports). */
    InputStream getStream(String path, String accept) {
        HttpRequest request = request(path).timeout(TIMEOUT).header("Accept", accept).GET().build();
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            try (InputStream in = response.body()) {
                throw failure("GET", path, response.statusCode(), in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return response.body();
    }

    private JsonNode json(String method, String path, HttpRequest.BodyPublisher body, String contentType) {
        HttpRequest.Builder request = request(path).timeout(TIMEOUT).method(method, body).header("Accept", "application/json");
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return answer(method, path, send(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(config.apiBase() + path))
                .header("Authorization", "Bearer " + config.apiKey())
                .header("User-Agent", "mailerctl/0.1.0");
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode answer(String method, String path, HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw failure(method, path, response.statusCode(), response.body());
        }
        try {
            return Json.parse(response.body());
        } catch (JacksonException e) {
            throw new IllegalStateException(method + " " + path + " answered no JSON: "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    private static ApiException failure(String method, String path, int status, byte[] body) {
        JsonNode problem = null;
        try {
            problem = Json.parse(body);
        } catch (JacksonException e) {
            // not a problem document (a proxy's HTML page): shown raw
        }
        return new ApiException(method, path, status, problem == null || !problem.isObject() ? null : problem,
                new String(body, StandardCharsets.UTF_8));
    }
}
