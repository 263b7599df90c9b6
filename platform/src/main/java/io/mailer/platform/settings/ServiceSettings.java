package io.mailer.platform.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a service's environment variables against its specification, all at once, so that a
 * misconfigured deployment fails with one message naming every bad variable. Every setting may also
 * be given as NAME_FILE, the path of a file holding its value (Docker secrets).
 */
public final class ServiceSettings {

    /** Suffix of the variable naming a file that holds a setting's value (Docker secrets). */
    public static final String FILE_SUFFIX = "_FILE";

    private final Map<String, String> values;

    private ServiceSettings(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static ServiceSettings resolve(String service, List<Setting> spec, Map<String, String> source) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Setting s : spec) {
            String raw = source.get(s.name());
            String file = source.get(s.name() + FILE_SUFFIX);
            if (file != null && !file.isBlank()) {
                if (raw != null && !raw.isEmpty()) {
                    problems.add(s.name() + " and " + s.name() + FILE_SUFFIX + " are both set: set one (" + s.help() + ")");
                    continue;
                }
                try {
                    raw = fromFile(Path.of(file.trim()));
                } catch (IOException | RuntimeException e) {
                    problems.add(s.name() + FILE_SUFFIX + " names a file that cannot be read: " + file.trim() + " (" + e + ")");
                    continue;
                }
            }
            if (raw == null || raw.isEmpty()) {
                if (s.required()) {
                    problems.add(s.name() + " is required: " + s.help());
                } else if (s.defaultValue() != null) {
                    values.put(s.name(), s.defaultValue());
                }
                continue;
            }
            String problem = s.check().problem(raw);
            if (problem != null) {
                problems.add(s.name() + " " + problem + " (" + s.help() + ")");
            } else {
                values.put(s.name(), raw.trim());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(service, problems);
        }
        return new ServiceSettings(values);
    }

    /**
     * NAME_FILE names a file holding NAME's value: Docker and Swarm secrets (/run/secrets/...), ECS
     * and Kubernetes secret files, kept out of the environment and of `docker inspect`. One
     * trailing line break is dropped (echo and most editors add one).
     */
    static String fromFile(Path path) throws IOException {
        String value = Files.readString(path);
        if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.endsWith("\r")) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }

    public String get(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name) && !values.get(name).isBlank();
    }

    public int getInt(String name) {
        return Integer.parseInt(values.get(name));
    }

    public Map<String, String> asMap() {
        return values;
    }
}
