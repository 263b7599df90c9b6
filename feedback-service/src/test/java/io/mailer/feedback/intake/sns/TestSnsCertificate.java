package io.mailer.feedback.intake.sns;

import io.mailer.schemas.kafka.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import tools.jackson.databind.node.ObjectNode;

/**
 * A TEST SNS signing identity: an RSA key and a self-signed certificate for {@code sns.amazonaws.com}
 * (the common name the SDK expects in us-east-1), generated at test time with the JDK's keytool,
 * plus an {@link SdkHttpClient} that serves the certificate for {@link #CERT_URL} so the SDK's
 * {@code SnsMessageManager} fetches it instead of AWS's.
 */
final class TestSnsCertificate {

    static final String CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";
    static final String TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:ses-events";

    private static TestSnsCertificate instance;

    private final PrivateKey key;
    private final byte[] pem;

    private TestSnsCertificate(PrivateKey key, X509Certificate certificate) throws Exception {
        this.key = key;
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded());
        this.pem = ("-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static synchronized TestSnsCertificate get() {
        if (instance == null) {
            instance = generate();
        }
        return instance;
    }

    private static TestSnsCertificate generate() {
        try {
            Path dir = Files.createTempDirectory("sns-test-cert");
            Path store = dir.resolve("sns.p12");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "sns", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=sns.amazonaws.com", "-ext", "san=dns:sns.amazonaws.com",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
                    "-keypass", "changeit").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, "changeit".toCharArray());
            }
            return new TestSnsCertificate((PrivateKey) ks.getKey("sns", "changeit".toCharArray()),
                    (X509Certificate) ks.getCertificate("sns"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SNS Notification envelope around {@code sesJson}, signed per SignatureVersion 1 or 2. */
    String signedEnvelope(String sesJson, String snsMessageId, String signatureVersion, String subject) {
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        envelope.put("Type", "Notification");
        envelope.put("MessageId", snsMessageId);
        envelope.put("TopicArn", TOPIC_ARN);
        if (subject != null) {
            envelope.put("Subject", subject);
        }
        envelope.put("Message", sesJson);
        envelope.put("Timestamp", "2026-11-20T10:00:03.000Z");
        envelope.put("SignatureVersion", signatureVersion);
        envelope.put("SigningCertURL", CERT_URL);
        envelope.put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe");
        envelope.put("Signature", sign(stringToSign(envelope), signatureVersion));
        return Json.MAPPER.writeValueAsString(envelope);
    }

    /** SES-FACTS: "name\nvalue\n" for Message, MessageId, Subject (if present), Timestamp, TopicArn, Type. */
    private static String stringToSign(ObjectNode envelope) {
        StringBuilder sb = new StringBuilder();
        for (String name : new String[] {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}) {
            if (envelope.has(name)) {
                sb.append(name).append('\n').append(envelope.get(name).asString()).append('\n');
            }
        }
        return sb.toString();
    }

    private String sign(String text, String signatureVersion) {
        try {
            Signature s = Signature.getInstance("1".equals(signatureVersion) ? "SHA1withRSA" : "SHA256withRSA");
            s.initSign(key);
            s.update(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serves the certificate for {@link #CERT_URL}; 404 for anything else. */
    SdkHttpClient certificateServer() {
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                URI uri = request.httpRequest().getUri();
                boolean known = URI.create(CERT_URL).equals(uri);
                return new ExecutableHttpRequest() {
                    @Override
                    public HttpExecuteResponse call() throws IOException {
                        return HttpExecuteResponse.builder()
                                .response(SdkHttpResponse.builder().statusCode(known ? 200 : 404).build())
                                .responseBody(AbortableInputStream.create(
                                        new ByteArrayInputStream(known ? pem : new byte[0])))
                                .build();
                    }

                    @Override
                    public void abort() {
                    }
                };
            }

            @Override
            public void close() {
            }
        };
    }

}
