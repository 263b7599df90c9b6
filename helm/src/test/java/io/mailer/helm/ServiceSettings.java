package io.mailer.helm;

import io.mailer.dispatcher.DispatcherApplication;
import io.mailer.feedback.FeedbackApplication;
import io.mailer.ingress.IngressApplication;
import io.mailer.platform.settings.CommonSettings;
import io.mailer.platform.settings.KafkaSecurity;
import io.mailer.platform.settings.Setting;
import io.mailer.topology.TopologyApplication;
import io.mailer.webhook.WebhookApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The services' own lists of environment variables (their SETTINGS): the deployment files are
 * checked against them, so a renamed or new required variable fails here, not in a cluster.
 */
final class ServiceSettings {

    /** Chart component → the settings the service validates at start. */
    static final Map<String, List<Setting>> BY_COMPONENT = Map.of(
            "ingress", asStarted(IngressApplication.SETTINGS),
            "topology", asStarted(TopologyApplication.SETTINGS),
            "dispatcher", asStarted(DispatcherApplication.SETTINGS),
            "feedback", asStarted(FeedbackApplication.SETTINGS),
            "webhook", asStarted(WebhookApplication.SETTINGS));

    /** Placeholder for a value read from a Secret, where only presence matters. */
    private static final String FROM_SECRET = "(from a Secret)";

    /** Variables read by the platform rather than by the service's settings. */
    static final Set<String> PLATFORM = Set.of("JAVA_TOOL_OPTIONS", "SPRING_PROFILES_ACTIVE",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION");

    private ServiceSettings() {
    }

    /**
     * A service's SETTINGS plus what MailerApplication adds when it starts it: every Kafka client
     * also reads the KafkaSecurity variables (protocol, SASL, truststore), listed in no SETTINGS.
     */
    private static List<Setting> asStarted(List<Setting> own) {
        boolean kafka = own.stream().anyMatch(s -> s.name().equals(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name()));
        List<Setting> settings = new ArrayList<>(own);
        if (kafka) {
            KafkaSecurity.SETTINGS.stream().filter(s -> !own.contains(s)).forEach(settings::add);
        }
        return List.copyOf(settings);
    }

    /**
     * What the service would say at startup about these variables: every required one missing and
     * every value its check rejects. Values read from a Secret are given as null (present, unknown).
     */
    static List<String> problems(String component, Map<String, String> given) {
        // NAME_FILE gives NAME from a file (Docker secrets): present, its value unknown here
        Map<String, String> env = new HashMap<>(given);
        given.keySet().stream().filter(n -> n.endsWith(io.mailer.platform.settings.ServiceSettings.FILE_SUFFIX))
                .forEach(n -> env.putIfAbsent(n.substring(0, n.length() - io.mailer.platform.settings.ServiceSettings.FILE_SUFFIX.length()), null));
        List<String> problems = new ArrayList<>();
        for (Setting setting : BY_COMPONENT.get(component)) {
            boolean present = env.containsKey(setting.name());
            String value = env.get(setting.name());
            if (setting.required() && !present) {
                problems.add(component + ": missing required " + setting.name());
            } else if (value != null) {
                String problem = setting.check().problem(value);
                if (problem != null) {
                    problems.add(component + ": " + setting.name() + " " + problem);
                }
            }
        }
        if (problems.isEmpty() && BY_COMPONENT.get(component).containsAll(KafkaSecurity.SETTINGS)) {
            problems.addAll(kafkaSecurityProblems(component, env));
        }
        return problems;
    }

    /** The rules between the Kafka variables (a SASL_ protocol needs a user and a password), as the service applies them. */
    private static List<String> kafkaSecurityProblems(String component, Map<String, String> env) {
        List<Setting> related = List.of(KafkaSecurity.KAFKA_SECURITY_PROTOCOL, KafkaSecurity.KAFKA_SASL_USERNAME,
                KafkaSecurity.KAFKA_SASL_PASSWORD);
        Map<String, String> known = new HashMap<>();
        related.stream().filter(s -> env.containsKey(s.name()))
                .forEach(s -> known.put(s.name(), env.get(s.name()) == null ? FROM_SECRET : env.get(s.name())));
        var settings = io.mailer.platform.settings.ServiceSettings.resolve(component, related, known);
        return KafkaSecurity.problems(settings).stream().map(p -> component + ": " + p).toList();
    }

    /** Variables in env that no service setting and no platform variable explains (typos). */
    static List<String> unknown(String component, Set<String> names, boolean sharedConfig) {
        Set<String> known = new java.util.HashSet<>(PLATFORM);
        // a shared ConfigMap legitimately carries other services' variables
        (sharedConfig ? BY_COMPONENT.values().stream().flatMap(List::stream).toList() : BY_COMPONENT.get(component))
                .forEach(s -> known.add(s.name()));
        String suffix = io.mailer.platform.settings.ServiceSettings.FILE_SUFFIX;
        return names.stream().filter(n -> !known.contains(n) && !(n.endsWith(suffix) && known.contains(n.substring(0, n.length() - suffix.length()))))
                .map(n -> component + ": unknown variable " + n).sorted().toList();
    }
}
