package io.mailer.webhook.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookSecret;
import io.mailer.schemas.webhooks.WebhookUrlPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A receiver that answers and then closes the connection without saying so (no "Connection:
 * close"; HTTP/1.0-style servers, short keep-alive timeouts) while the client already sent its
 * next request on the pooled connection: that request gets no bytes back. That is the connection, not the endpoint failing.
 */
class HttpSenderStaleConnectionTest {

    @Test
    void shouldNotCountAConnectionTheReceiverClosedAsAFailedAttempt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                HttpSender sender = new HttpSender(new WebhookUrlPolicy(true, "127.0.0.1/32"), Duration.ofSeconds(5),
                        Clock.systemUTC())) {
            Thread acceptor = new Thread(() -> answerOnceAndClose(server));
            acceptor.setDaemon(true);
            acceptor.start();
            Instant now = Instant.now();
            WebhookEndpoint endpoint = new WebhookEndpoint("wh_stale", "acme", "http://127.0.0.1:" + server.getLocalPort() + "/h",
                    List.of(), null, true, null, null, List.of(new WebhookSecret("whsec_" + "A".repeat(44), null)), 1, now, now, 1);

            List<Attempt> attempts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                attempts.add(sender.post(endpoint, "msg_" + i, "{\"type\":\"t\",\"data\":{}}").get());
            }

            assertThat(attempts).extracting(Attempt::status).containsOnly(204);
        }
    }

    private static void answerOnceAndClose(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                StringBuilder request = new StringBuilder();
                int contentLength = -1;
                int headerEnd = -1;
                while (headerEnd < 0 || request.length() < headerEnd + 4 + contentLength) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    request.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    headerEnd = request.indexOf("\r\n\r\n");
                    if (headerEnd >= 0 && contentLength < 0) {
                        String headers = request.substring(0, headerEnd).toLowerCase();
                        int at = headers.indexOf("content-length:");
                        contentLength = at < 0 ? 0 : Integer.parseInt(headers.substring(at + 15, headers.indexOf('\r', at) < 0
                                ? headers.length() : headers.indexOf('\r', at)).trim());
                    }
                }
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                // closes a moment later, by when the client has sent its next request on this connection
                Thread.sleep(100);
            } catch (Exception e) {
                // the next connection
            }
        }
    }
}
