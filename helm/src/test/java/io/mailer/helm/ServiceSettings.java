package io.mailer.helm;

import io.mailer.dispatcher.DispatcherApplication;
import io.mailer.feedback.FeedbackApplication;
import io.mailer.ingress.IngressApplication;
import io.mailer.schemas.settings.Setting;
import io.mailer.topology.TopologyApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The services' own lists of environment variables (their SETTINGS): the deployment files are
 * checked against them, so a renamed or new required variable fails here, not in a cluster.
 */
final class ServiceSettings {

    /** Chart component → the service's settings. */
    static final Map<String, List<Setting>> BY_COMPONENT = Map.of(
            "ingress", IngressApplication.SETTINGS,
            "topology", TopologyApplication.SETTINGS,
            "dispatcher", DispatcherApplication.SETTINGS,
            "feedback", FeedbackApplication.SETTINGS);

    /** Variables read by the platform rather than by the service's settings. */
    static final Set<String> PLATFORM = Set.of("JAVA_TOOL_OPTIONS", "SPRING_PROFILES_ACTIVE",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION");

    private ServiceSettings() {
    }

    /**
     * What the service would say at startup about these variables: every required one missing and
     * every value its check rejects. Values read from a Secret are given as null (present, unknown).
     */
    static List<String> problems(String component, Map<String, String> env) {
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
        return problems;
    }

    /** Variables in env that no service setting and no platform variable explains (typos). */
    static List<String> unknown(String component, Set<String> names, boolean sharedConfig) {
        Set<String> known = new java.util.HashSet<>(PLATFORM);
        // a shared ConfigMap legitimately carries other services' variables
        (sharedConfig ? BY_COMPONENT.values().stream().flatMap(List::stream).toList() : BY_COMPONENT.get(component))
                .forEach(s -> known.add(s.name()));
        return names.stream().filter(n -> !known.contains(n)).map(n -> component + ": unknown variable " + n).sorted().toList();
    }
}
