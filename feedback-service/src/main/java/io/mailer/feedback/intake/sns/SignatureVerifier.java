package io.mailer.feedback.intake.sns;

import java.util.Optional;

/**
 * Checks an SNS envelope's signature. The seam where a test certificate (or another trust
 * source) plugs in; production uses {@link SnsSdkSignatureVerifier}.
 */
@FunctionalInterface
public interface SignatureVerifier {

    /** Accepts everything: SNS_VERIFY_SIGNATURES=false. */
    SignatureVerifier DISABLED = body -> Optional.empty();

    /** Returns what is wrong with the signature, or empty when the message is authentic. */
    Optional<String> problem(String snsEnvelopeJson);

    default boolean enabled() {
        return this != DISABLED;
    }
}
