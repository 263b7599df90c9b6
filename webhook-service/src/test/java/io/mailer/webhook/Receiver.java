package io.mailer.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;

/**
 * A real HTTP receiver on localhost (JDK HttpServer): each path has its own behaviour (answer code
 * per request, delay) and every request is recorded with its headers, raw body and arrival time.
 */
final class Receiver implements AutoCloseable {

    record Request(String path, String id, String timestamp, String signature, byte[] body, int answered, long receivedAtMs) {
    }

    private record Behaviour(ToIntFunction<Request> status, long delayMs) {
    }

    private final HttpServer server;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void on(String path, ToIntFunction<Request> status, long delayMs) {
        behaviours.put(path, new Behaviour(status, delayMs));
    }

    List<Request> at(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long received = System.currentTimeMillis();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String path = exchange.getRequestURI().getPath();
        Request probe = new Request(path, exchange.getRequestHeaders().getFirst("webhook-id"),
                exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                exchange.getRequestHeaders().getFirst("webhook-signature"), body, 0, received);
        Behaviour b = behaviours.getOrDefault(path, new Behaviour(r -> 200, 0));
        int status = b.status().applyAsInt(probe);
        requests.add(new Request(path, probe.id(), probe.timestamp(), probe.signature(), body, status, received));
        if (b.delayMs() > 0) {
            try {
                Thread.sleep(b.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
