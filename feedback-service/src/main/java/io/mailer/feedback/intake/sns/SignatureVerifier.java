package io.mailer.feedback.intake.sns;

/**
 * Checks an SNS envelope's signature. The seam where a test certificate (or another trust
 * source) plugs in; production uses {@link SnsSdkSignatureVerifier}.
 */
@FunctionalInterface
public interface SignatureVerifier {

    /** Accepts everything: SNS_VERIFY_SIGNATURES=false. */
    SignatureVerifier DISABLED = body -> Verdict.AUTHENTIC;

    Verdict verify(String snsEnvelopeJson);

    default boolean enabled() {
        return this != DISABLED;
    }

    /** What the check found; whether a message is quarantined or retried depends on which. */
    sealed interface Verdict {

        Verdict AUTHENTIC = new Authentic();

        /** Signed by SNS. */
        record Authentic() implements Verdict {
        }

        /** Signature, certificate, certificate URL or signed fields invalid: the message's fault. */
        record Invalid(String problem) implements Verdict {
        }

        /** No verdict could be reached (the certificate could not be fetched): not the message's fault. */
        record Unverifiable(String why) implements Verdict {
        }
    }
}
