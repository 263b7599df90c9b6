package io.mailer.helm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading the parts of rendered workloads that the tests compare. */
final class Workloads {

    /** Component → HTTP port, as fixed by the services' contracts. */
    static final Map<String, Integer> PORTS = Map.of("ingress", 3000, "topology", 3001, "dispatcher", 3002, "feedback", 3003, "webhook", 3004);

    private Workloads() {
    }

    static Map<String, Object> deployment(Chart.Manifests manifests, String component) {
        return manifests.get("Deployment", Chart.RELEASE + "-" + component);
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return Chart.Tree.require(workload, "spec.template.spec");
    }

    static Map<String, Object> container(Map<String, Object> workload) {
        return Chart.Tree.require(workload, "spec.template.spec.containers[0]");
    }

    /** Plain env values by name (entries read from a Secret or ConfigMap are left out). */
    static Map<String, String> plainEnv(Map<String, Object> workload) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> e : envEntries(workload)) {
            if (e.containsKey("value")) {
                env.put((String) e.get("name"), String.valueOf(e.get("value")));
            }
        }
        return env;
    }

    /** name → "secret/key" or "secret/key?" (optional) for env entries read from a Secret. */
    static Map<String, String> secretEnv(Map<String, Object> workload) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> e : envEntries(workload)) {
            Map<String, Object> ref = Chart.Tree.at(e, "valueFrom.secretKeyRef");
            if (ref != null) {
                env.put((String) e.get("name"), ref.get("name") + "/" + ref.get("key")
                        + (Boolean.TRUE.equals(ref.get("optional")) ? "?" : ""));
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> envEntries(Map<String, Object> workload) {
        Object env = container(workload).get("env");
        return env == null ? List.of() : (List<Map<String, Object>>) env;
    }

    /** mountPath → volume source kind ("emptyDir", ...). */
    @SuppressWarnings("unchecked")
    static Map<String, String> mounts(Map<String, Object> workload) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (Map<String, Object> v : (List<Map<String, Object>>) podSpec(workload).get("volumes")) {
            byName.put((String) v.get("name"), v.keySet().stream().filter(k -> !k.equals("name")).findFirst().orElseThrow());
        }
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) container(workload).get("volumeMounts")) {
            mounts.put((String) m.get("mountPath"), byName.get(m.get("name")));
        }
        return mounts;
    }

    /**
     * The files Secret volumes put into the container: path → "secret/key", with " (writable)"
     * appended unless the mount is read-only.
     */
    @SuppressWarnings("unchecked")
    static Map<String, String> secretFiles(Map<String, Object> workload) {
        Map<String, Map<String, Object>> secrets = new LinkedHashMap<>();
        for (Map<String, Object> v : (List<Map<String, Object>>) podSpec(workload).get("volumes")) {
            if (v.get("secret") instanceof Map<?, ?> secret) {
                secrets.put((String) v.get("name"), (Map<String, Object>) secret);
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) container(workload).get("volumeMounts")) {
            Map<String, Object> secret = secrets.get(m.get("name"));
            if (secret == null) {
                continue;
            }
            String writable = Boolean.TRUE.equals(m.get("readOnly")) ? "" : " (writable)";
            for (Map<String, Object> item : (List<Map<String, Object>>) secret.getOrDefault("items", List.of())) {
                files.put(m.get("mountPath") + "/" + item.get("path"), secret.get("secretName") + "/" + item.get("key") + writable);
            }
        }
        return files;
    }
}
