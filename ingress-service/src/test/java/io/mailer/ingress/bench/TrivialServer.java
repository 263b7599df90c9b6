package io.mailer.ingress.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The benchmark's client baseline: reads the request body and answers 202 with a small JSON, in
 * its own JVM like the ingress service, so the benchmark can tell the client's and the loopback's
 * share of the latency from the service's.
 */
public final class TrivialServer {

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("localhost", Integer.parseInt(System.getenv("PORT"))), 128);
        byte[] answer = "{\"id\":\"bat_trivial\",\"status\":\"ACCEPTED\",\"recipients\":1000}".getBytes(StandardCharsets.UTF_8);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(202, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }
}
