package io.mailer.ingress.auth;

/** The caller is known but may not do this (a missing scope, or not an operator); answered 403. */
public final class AccessDenied extends RuntimeException {

    AccessDenied(String message) {
        super(message, null, false, false);
    }
}
