package io.mailer.feedback.intake.sns;

import java.io.IOException;
import java.io.UncheckedIOException;
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
    public Optional<String> problem(String snsEnvelopeJson) {
        try {
            manager.parseMessage(snsEnvelopeJson);
            return Optional.empty();
        } catch (RuntimeException e) {
            IOException io = ioCause(e);
            if (io != null) {
                // the certificate could not be fetched: not the message's fault, so do not
                // quarantine it; the caller leaves it in SQS for a later attempt
                throw new UncheckedIOException("SNS signing certificate unavailable", io);
            }
            // bad certificate URL, untrusted certificate, missing fields or signature mismatch
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private static IOException ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    @Override
    public void close() {
        manager.close();
        httpClient.close();
    }
}
