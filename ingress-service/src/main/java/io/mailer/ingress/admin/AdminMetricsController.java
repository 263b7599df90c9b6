package io.mailer.ingress.admin;

import io.mailer.ingress.auth.ApiPrincipal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Outcome counts per tenant over the last N hours, with the bounce and complaint rates SES
 * reviews accounts on (5 % / 0.1 %), and a per-minute series. Counted from the {@code event}
 * view. An admin of tenant {@code default} (the operator) sees every tenant; others their own.
 */
@RestController
class AdminMetricsController {

    static final List<String> TYPES = List.of("SENT", "DELIVERED", "BOUNCED", "COMPLAINED", "FAILED", "SUPPRESSED");

    public record Counts(long sent, long delivered, long bounced, long complained, long failed, long suppressed,
            double bounceRate, double complaintRate) {
        static Counts of(Map<String, Long> byType) {
            long sent = byType.getOrDefault("SENT", 0L);
            long bounced = byType.getOrDefault("BOUNCED", 0L);
            long complained = byType.getOrDefault("COMPLAINED", 0L);
            return new Counts(sent, byType.getOrDefault("DELIVERED", 0L), bounced, complained, byType.getOrDefault("FAILED", 0L),
                    byType.getOrDefault("SUPPRESSED", 0L), sent == 0 ? 0 : (double) bounced / sent, sent == 0 ? 0 : (double) complained / sent);
        }
    }

    public record TenantMetrics(String tenantId, Counts counts) {
    }

    public record Minute(Instant minute, Map<String, Long> counts) {
    }

    public record Metrics(int hours, List<TenantMetrics> tenants, List<Minute> series) {
    }

    private final DatabaseClient db;

    public AdminMetricsController(DatabaseClient db) {
        this.db = db;
    }

    @GetMapping(path = "/api/v1/admin/metrics", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Metrics> metrics(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) Integer hours) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        int h = hours == null ? 24 : hours;
        if (h < 1 || h > 720) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "hours must be between 1 and 720");
        }
        boolean operator = "default".equals(principal.tenantId());
        String scope = " WHERE occurred_at > now() - make_interval(hours => :hours) AND type IN ('"
                + String.join("','", TYPES) + "')" + (operator ? "" : " AND tenant_id = :tenant");
        var perTenant = bind(db.sql("SELECT tenant_id, type, count(*) AS n FROM event" + scope + " GROUP BY tenant_id, type"
                        + " ORDER BY tenant_id"), h, operator, principal)
                .map(row -> new String[] {row.get("tenant_id", String.class), row.get("type", String.class),
                        Long.toString(row.get("n", Long.class))})
                .all().collectList()
                .map(rows -> {
                    Map<String, Map<String, Long>> byTenant = new TreeMap<>();
                    rows.forEach(r -> byTenant.computeIfAbsent(r[0], k -> new TreeMap<>()).put(r[1], Long.parseLong(r[2])));
                    List<TenantMetrics> out = new ArrayList<>();
                    byTenant.forEach((t, c) -> out.add(new TenantMetrics(t, Counts.of(c))));
                    return out;
                });
        var series = bind(db.sql("SELECT date_trunc('minute', occurred_at) AS m, type, count(*) AS n FROM event" + scope
                        + " GROUP BY m, type ORDER BY m"), h, operator, principal)
                .map(row -> Map.entry(row.get("m", OffsetDateTime.class).toInstant(), Map.entry(row.get("type", String.class),
                        row.get("n", Long.class))))
                .all().collectList()
                .map(rows -> {
                    Map<Instant, Map<String, Long>> byMinute = new TreeMap<>();
                    rows.forEach(r -> byMinute.computeIfAbsent(r.getKey(), k -> new TreeMap<>()).put(r.getValue().getKey(), r.getValue().getValue()));
                    return byMinute.entrySet().stream().map(e -> new Minute(e.getKey(), e.getValue())).toList();
                });
        return Mono.zip(perTenant, series, (t, s) -> new Metrics(h, t, s))
                .onErrorMap(e -> !(e instanceof ResponseStatusException), e -> new ResponseStatusException(
                        HttpStatus.SERVICE_UNAVAILABLE, "Metrics are temporarily unavailable (PostgreSQL unreachable).", e));
    }

    private static DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec spec, int hours, boolean operator,
            ApiPrincipal principal) {
        spec = spec.bind("hours", hours);
        return operator ? spec : spec.bind("tenant", principal.tenantId());
    }
}
