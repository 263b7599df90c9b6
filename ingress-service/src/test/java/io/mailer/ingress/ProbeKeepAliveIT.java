package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A load balancer or monitor that keeps its connection open gets an answer to every probe. With
 * reactor-netty 1.3.6 (Boot 4.0.7's) a kept-alive connection stopped being answered after tens to
 * a few thousand health requests (reactor-netty#4188, #4361), while a new connection was served.
 */
class ProbeKeepAliveIT {

    private static final int REQUESTS = 6_000;

    private static IngressTestStack stack;
    private static int port;

    @BeforeAll
    static void startStack() {
        stack = new IngressTestStack("it-keepalive.", Map.of());
        port = Integer.parseInt(stack.app.getEnvironment().getProperty("local.server.port"));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldAnswerEveryProbeOnOneKeptAliveConnection() throws IOException {
        byte[] request = ("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        int answered = 0;
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < REQUESTS; i++) {
                out.write(request);
                out.flush();
                String status;
                try {
                    status = readResponse(in);
                } catch (SocketTimeoutException e) {
                    break;
                }
                assertThat(status).startsWith("HTTP/1.1 200");
                answered++;
            }
        }
        assertThat(answered).as("probes answered on one connection").isEqualTo(REQUESTS);
    }

    /** Reads one response with a Content-Length body; returns its status line. */
    private static String readResponse(InputStream in) throws IOException {
        String status = null;
        int length = -1;
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            if (status == null) {
                status = line;
            } else if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        assertThat(length).as("Content-Length of " + status).isNotNegative();
        in.readNBytes(length);
        return status;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new IOException("connection closed by the server");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
