package io.mailer.webhook.relay;

/**
 * How one POST ended: {@code status} 0 when no HTTP answer came (refused URL, connection error,
 * timeout); {@code error} says why in that case.
 */
record Attempt(int status, long latencyMs, String error) {

    boolean delivered() {
        return status >= 200 && status < 300;
    }

    boolean gone() {
        return status == 410;
    }
}
