package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard shipped as a ConfigMap answers the operator's questions with real metric names. */
class DashboardTest {

    @Test
    void shouldShipOnePanelPerOperatorQuestionOnTheServicesMetrics() throws Exception {
        // Given the dashboard ConfigMap of the production values (limit line at 200/s)
        Map<String, Object> configMap = Chart.render(Chart.productionValues()).get("ConfigMap", "mailer-dashboard");
        JsonNode dashboard = Chart.JSON.readTree((String) ((Map<?, ?>) configMap.get("data")).get("mailer.json"));

        // Then it has the panels, in order
        List<String> titles = new ArrayList<>();
        List<String> expressions = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> {
            titles.add(panel.get("title").asText());
            panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText()));
        });
        assertThat(titles).containsExactly("Send rate vs SES limit", "SES throttling and account pauses",
                "Bounces and complaints", "Dead letters and quarantine", "Consumer lag", "API latency",
                "API requests by status", "SES call latency", "Tenant reputation: bounce and complaint rates",
                "Tenant state (reputation guard)", "Held and throttled sends");
        // and reads the metrics the services publish
        assertThat(String.join("\n", expressions)).contains("emails_sent_total", "email_send_duration_seconds",
                "http_server_requests_seconds", "kafka_consumer_fetch_manager_records_lag_max",
                "mailer_feedback_events_total", "mailer_dispatcher_dead_letters_total", "mailer_projector_dead_lettered_total",
                "mailer_feedback_quarantined_total", "mailer_dispatcher_account_paused", "vector($ses_max_send_rate)",
                "mailer_tenant_bounce_rate", "mailer_tenant_complaint_rate", "mailer_tenant_state", "mailer_account_bounce_rate",
                "mailer_dispatcher_held_released_total");
        // with the limit taken from values, and the sidecar label set
        assertThat(dashboard.at("/templating/list/1/query").asText()).isEqualTo("200");
        assertThat((String) Chart.Tree.at(configMap, "metadata.labels.grafana_dashboard")).isEqualTo("1");
    }

    @Test
    void shouldShipTheReputationAlertRulesWhenAsked() {
        // Given the PrometheusRule switched on
        Map<String, Object> rule = Chart.Manifests.parse(Chart.templateWith(Map.of("metrics.prometheusRule.enabled", true)))
                .get("PrometheusRule", "mailer");

        // Then it alerts on a paused tenant and on the account's rates, with the configured thresholds
        String rules = rule.toString();
        assertThat(rules).contains("MailerTenantPaused", "max by (tenant) (mailer_tenant_state) == 2",
                "MailerAccountBounceRateHigh", "max(mailer_account_bounce_rate) > 0.03",
                "MailerAccountComplaintRateHigh", "max(mailer_account_complaint_rate) > 0.0008", "MailerHeldSendsNotReleased");
        // and it is off by default (it needs the Prometheus Operator's CRDs)
        assertThat(Chart.render(null).ofKind("PrometheusRule")).isEmpty();
    }
}
