package io.mailer.schemas.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a service's environment variables against its specification, all at once, so that a
 * misconfigured deployment fails with one message naming every bad variable.
 */
public final class ServiceSettings {

    private final Map<String, String> values;

    private ServiceSettings(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static ServiceSettings resolve(String service, List<Setting> spec, Map<String, String> source) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Setting s : spec) {
            String raw = source.get(s.name());
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
