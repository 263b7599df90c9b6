package io.mailer.devstack.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A webhook receiver for the local run: {@code POST /hooks/<anything>} answers 204 and keeps the
 * request (the Standard Webhooks headers and the body; the last 200), {@code GET /hooks} lists them
 * newest first. It does not verify signatures — the receiver you build does; this shows what Mailer
 * sends. Bound to localhost only.
 */
final class WebhookInbox implements AutoCloseable {

    private static final int KEEP = 200;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final Deque<Map<String, Object>> received = new ArrayDeque<>();

    WebhookInbox(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/hooks", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if ("POST".equals(exchange.getRequestMethod())) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readNBytes(1 << 20);
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("receivedAt", Instant.now().toString());
                r.put("path", exchange.getRequestURI().getPath());
                for (String h : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
                    r.put(h, exchange.getRequestHeaders().getFirst(h));
                }
                r.put("body", new String(body, StandardCharsets.UTF_8));
                synchronized (received) {
                    received.addFirst(r);
                    while (received.size() > KEEP) {
                        received.removeLast();
                    }
                }
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            byte[] out;
            synchronized (received) {
                out = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(List.copyOf(received));
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
