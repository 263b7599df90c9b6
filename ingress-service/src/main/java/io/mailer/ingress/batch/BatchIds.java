package io.mailer.ingress.batch;

import java.security.SecureRandom;
import java.util.Locale;

/** Batch ids: {@code bat_} + 26 base32 characters (130 random bits); safe in SES tags and URLs. */
final class BatchIds {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private BatchIds() {
    }

    static String next() {
        StringBuilder id = new StringBuilder("bat_");
        for (int i = 0; i < 26; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    static boolean looksValid(String id) {
        return id != null && id.toLowerCase(Locale.ROOT).matches("bat_[0-9a-z]{26}");
    }
}
