package io.mailer.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SES sandbox as a standalone process, for docker-compose: SES v2 on {@code SES_SANDBOX_PORT}
 * (default 4566) on every interface, publishing SES events to {@code SQS_QUEUE_URL} through
 * {@code SQS_ENDPOINT} (ElasticMQ). Optional: {@code SES_SANDBOX_MAX_SEND_RATE} (GetAccount's
 * MaxSendRate, default 14).
 *
 * <p>The sandbox itself listens on loopback only (it is a test fixture); a small TCP relay makes it
 * reachable from the other containers without changing that default.
 */
public final class SesSandboxMain {

    private SesSandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int port = Integer.parseInt(env.getOrDefault("SES_SANDBOX_PORT", "4566"));
        SesSandbox.Config config = SesSandbox.Config.defaults()
                .maxSendRate(Double.parseDouble(env.getOrDefault("SES_SANDBOX_MAX_SEND_RATE", "14")));
        if (env.get("SQS_ENDPOINT") != null && env.get("SQS_QUEUE_URL") != null) {
            config.eventQueue(env.get("SQS_ENDPOINT"), env.get("SQS_QUEUE_URL"));
        }
        SesSandbox sandbox = SesSandbox.start(config);
        ServerSocket relay = new ServerSocket();
        relay.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeQuietly(relay);
            sandbox.close();
            stopped.countDown();
        }, "ses-sandbox-shutdown"));
        System.out.println("SES sandbox listening on 0.0.0.0:" + port + " (events to "
                + (config.queueUrl() == null ? "nowhere" : config.queueUrl()) + ")");
        Thread acceptor = new Thread(() -> accept(relay, sandbox.port()), "ses-sandbox-relay");
        acceptor.setDaemon(true);
        acceptor.start();
        stopped.await();
    }

    private static void accept(ServerSocket relay, int targetPort) {
        while (!relay.isClosed()) {
            try {
                Socket client = relay.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                AtomicInteger open = new AtomicInteger(2);
                pipe(client, target, open);
                pipe(target, client, open);
            } catch (IOException e) {
                if (!relay.isClosed()) {
                    System.err.println("SES sandbox relay: " + e);
                }
            }
        }
    }

    /**
     * Copies one direction of a connection. End of input half-closes the other side (an HTTP
     * client may finish sending before it reads); both sockets close when both directions ended.
     */
    private static void pipe(Socket from, Socket to, AtomicInteger open) {
        Thread t = new Thread(() -> {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                in.transferTo(out);
                out.flush();
                to.shutdownOutput();
            } catch (IOException e) {
                // a reset on one side ends the whole connection
                closeQuietly(from);
                closeQuietly(to);
            } finally {
                if (open.decrementAndGet() == 0) {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }
        }, "ses-sandbox-relay-io");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // shutting down
        }
    }
}
