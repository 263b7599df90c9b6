package io.mailer.ingress.auth;

/**
 * No usable API key, answered 401 with {@code WWW-Authenticate: Bearer}; or, with
 * {@link #retryAfterSeconds()} above zero, an address locked out for guessing keys, answered 429.
 */
public final class AuthenticationFailed extends RuntimeException {

    private final long retryAfterSeconds;

    AuthenticationFailed(String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public boolean lockedOut() {
        return retryAfterSeconds > 0;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
