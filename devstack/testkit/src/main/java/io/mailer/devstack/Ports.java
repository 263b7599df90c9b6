package io.mailer.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free local ports, for components that must know their port before they bind it. */
final class Ports {

    private Ports() {
    }

    /** {@code requested} if positive, else a port that was free a moment ago. */
    static int orFree(int requested) {
        if (requested > 0) {
            return requested;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
