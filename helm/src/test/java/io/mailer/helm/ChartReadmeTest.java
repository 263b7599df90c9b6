package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Every value an operator can set is in the README's parameters tables. */
class ChartReadmeTest {

    static final Set<String> COMPONENTS = Set.of("ingress", "topology", "dispatcher", "feedback", "webhook");

    @Test
    void shouldDocumentEveryParameter() {
        Map<String, Object> values = new Yaml().load(Chart.read(Chart.dir().resolve("values.yaml")));
        String readme = Chart.read(Chart.dir().resolve("README.md"));

        List<String> undocumented = new ArrayList<>();
        values.forEach((key, value) -> {
            if (COMPONENTS.contains(key)) {
                collect("", (Map<String, Object>) value).forEach(k -> {
                    if (!readme.contains("`<c>." + k + "`") && !documentedParent(readme, "<c>.", k)) {
                        undocumented.add(key + "." + k);
                    }
                });
            } else if (value instanceof Map<?, ?> map && !map.isEmpty() && !readme.contains("`" + key + "`")) {
                collect(key + ".", (Map<String, Object>) value).stream()
                        .filter(k -> !readme.contains("`" + k + "`") && !documentedParent(readme, "", k))
                        .forEach(undocumented::add);
            } else if (!readme.contains("`" + key + "`")) {
                undocumented.add(key);
            }
        });

        assertThat(undocumented).isEmpty();
    }

    /** A documented block (e.g. `<c>.resources`) covers its leaves. */
    private static boolean documentedParent(String readme, String prefix, String key) {
        for (int dot = key.lastIndexOf('.'); dot > 0; dot = key.lastIndexOf('.', dot - 1)) {
            if (readme.contains("`" + prefix + key.substring(0, dot) + "`")) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static List<String> collect(String prefix, Map<String, Object> node) {
        List<String> keys = new ArrayList<>();
        node.forEach((k, v) -> {
            if (v instanceof Map<?, ?> map && !map.isEmpty()) {
                keys.addAll(collect(prefix + k + ".", (Map<String, Object>) map));
            } else {
                keys.add(prefix + k);
            }
        });
        return keys;
    }
}
