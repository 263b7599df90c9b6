package io.mailer.dispatcher.render;

/** A template that cannot be compiled or a variable the recipient does not have. Permanent for that send. */
public class RenderingException extends RuntimeException {

    public RenderingException(String message, Throwable cause) {
        super(message, cause);
    }
}
