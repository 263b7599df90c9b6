package io.mailer.feedback.projector;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The {@code batch_counts} milestones a recipient row counts towards, one bit each. The rules are
 * those of docs/architecture.md, i.e. of the aggregate the ingress ran over the recipient rows
 * before the counters existed (and that changeset 009 backfills with): {@code sent} is every
 * recipient SES took, later outcomes included; {@code delivered} also counts a Delivery reported
 * before a Complaint or after a failure, but never a bounced recipient; {@code complained} also a
 * Complaint after a Bounce. A counter is the number of rows with its bit set, so the projector adds
 * {@code bit(after) - bit(before)} per recipient write and a write that changes nothing adds 0.
 */
final class CountFlags {

    /** Counter columns of {@code batch_counts}, bit i = COLUMNS.get(i). */
    static final List<String> COLUMNS = List.of("suppressed", "sent", "delivered", "bounced", "complained", "failed",
            "cancelled");

    private static final List<String> RULES = List.of(
            "%1$s.status = 'SUPPRESSED'",
            "%1$s.status IN ('SENT','DELIVERED','BOUNCED','COMPLAINED')",
            "(%1$s.status IN ('DELIVERED','COMPLAINED') OR (%1$s.delivered_at IS NOT NULL AND %1$s.status <> 'BOUNCED'))",
            "%1$s.status = 'BOUNCED'",
            "(%1$s.complained_at IS NOT NULL OR %1$s.status = 'COMPLAINED')",
            "%1$s.status = 'FAILED'",
            "%1$s.status = 'CANCELLED'");

    private CountFlags() {
    }

    /** A SQL expression giving the bits of the recipient row aliased {@code alias}. */
    static String of(String alias) {
        return IntStream.range(0, RULES.size())
                .mapToObj(i -> "(CASE WHEN " + RULES.get(i).formatted(alias) + " THEN " + (1 << i) + " ELSE 0 END)")
                .collect(Collectors.joining(" | ", "(", ")::smallint"));
    }

    /** Adds the counter changes of one row going from bits {@code before} to bits {@code after}. */
    static void addDelta(int[] counters, int before, int after) {
        for (int i = 0; i < COLUMNS.size(); i++) {
            counters[i] += ((after >> i) & 1) - ((before >> i) & 1);
        }
    }

    static boolean isZero(int[] counters) {
        return Arrays.stream(counters).allMatch(c -> c == 0);
    }
}
