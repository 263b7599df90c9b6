package io.mailer.feedback.intake.sns;

import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.messagemanager.sns.SnsMessageManager;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Verifies with the AWS SDK's {@link SnsMessageManager}: it checks that the signing certificate
 * URL is https on the region's SNS host, fetches and caches the certificate, validates it, and
 * checks the SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA) signature.
 */
public final class SnsSdkSignatureVerifier implements SignatureVerifier, SdkAutoCloseable {

    private final SnsMessageManager manager;
    private final SdkAutoCloseable httpClient;

    /**
     * @param manager    the SDK verifier
     * @param httpClient the certificate fetcher given to the manager, which does not close it
     */
    public SnsSdkSignatureVerifier(SnsMessageManager manager, SdkAutoCloseable httpClient) {
        this.manager = manager;
        this.httpClient = httpClient;
    }

    @Override
    public Verdict verify(String snsEnvelopeJson) {
        try {
            manager.parseMessage(snsEnvelopeJson);
            return Verdict.AUTHENTIC;
        } catch (RuntimeException e) {
            Optional<IOException> io = ioCause(e);
            if (io.isPresent()) {
                // the certificate could not be fetched: not the message's fault, so do not
                // quarantine it; it stays in SQS for a later attempt
                return new Verdict.Unverifiable("SNS signing certificate unavailable: " + io.get());
            }
            // bad certificate URL, untrusted certificate, missing fields or signature mismatch
            return new Verdict.Invalid(String.valueOf(e.getMessage()));
        }
    }

    private static Optional<IOException> ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return Optional.of(io);
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        manager.close();
        httpClient.close();
    }
}
