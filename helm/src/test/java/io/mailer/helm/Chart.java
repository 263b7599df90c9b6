package io.mailer.helm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chart under test, rendered with the embedded helm (offline). Renders are cached per values
 * file: helm template is the slow step and every test class reads the same output.
 */
final class Chart {

    static final String RELEASE = "mailer";
    static final String NAMESPACE = "mail";
    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new JsonMapper();

    private static final Map<String, String> RENDERS = new ConcurrentHashMap<>();

    private Chart() {
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("mailer.repo.root", "..")).toAbsolutePath().normalize();
    }

    static Path dir() {
        return repoRoot().resolve("helm/mailer");
    }

    /** The documented required values and nothing else: what "the defaults" means for every test. */
    static Path requiredValues() {
        return dir().resolve("ci/required-values.yaml");
    }

    static Path productionValues() {
        return dir().resolve("ci/production-values.yaml");
    }

    static Helm helm() {
        return new Helm(dir());
    }

    /** helm template with the chart's defaults plus the required values (null) or a values file. */
    static String template(Path valuesFile) {
        Path file = valuesFile == null ? requiredValues() : valuesFile;
        return RENDERS.computeIfAbsent(file.toString(),
                k -> helm().template().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(file).call());
    }

    /** helm template with the defaults, the required values and --set pairs (not cached). */
    static String templateWith(Map<String, Object> sets) {
        TemplateCommand command = helm().template().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(requiredValues());
        sets.forEach(command::set);
        return command.call();
    }

    /** helm template with the chart's own defaults plus --set pairs, without the required values. */
    static String templateBare(Map<String, Object> sets) {
        TemplateCommand command = helm().template().withName(RELEASE).withNamespace(NAMESPACE);
        sets.forEach(command::set);
        return command.call();
    }

    static Manifests render(Path valuesFile) {
        return Manifests.parse(template(valuesFile));
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rendered documents, each a generic tree, in helm's order. */
    record Manifests(List<Map<String, Object>> documents) {

        @SuppressWarnings("unchecked")
        static Manifests parse(String rendered) {
            List<Map<String, Object>> docs = new ArrayList<>();
            try (var parser = YAML.getFactory().createParser(rendered)) {
                var it = YAML.readValues(parser, Map.class);
                while (it.hasNext()) {
                    Map<String, Object> doc = it.next();
                    if (doc != null && !doc.isEmpty()) {
                        docs.add(doc);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Manifests(List.copyOf(docs));
        }

        List<Map<String, Object>> ofKind(String kind) {
            return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        }

        Map<String, Object> get(String kind, String name) {
            return ofKind(kind).stream().filter(d -> name.equals(Tree.at(d, "metadata.name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + names()));
        }

        List<String> names() {
            return documents.stream().map(d -> d.get("kind") + "/" + Tree.at(d, "metadata.name")).toList();
        }
    }

    /** Dotted-path access into YAML trees: "spec.template.spec.containers[0].image". */
    static final class Tree {
        private Tree() {
        }

        @SuppressWarnings("unchecked")
        static <T> T at(Object node, String path) {
            Object current = node;
            for (String part : path.split("\\.")) {
                String name = part;
                Integer index = null;
                int bracket = part.indexOf('[');
                if (bracket >= 0) {
                    name = part.substring(0, bracket);
                    index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
                }
                if (!name.isEmpty()) {
                    current = current instanceof Map<?, ?> map ? map.get(name) : null;
                }
                if (index != null) {
                    current = current instanceof List<?> list && index < list.size() ? list.get(index) : null;
                }
                if (current == null) {
                    return null;
                }
            }
            return (T) current;
        }

        static <T> T require(Object node, String path) {
            return Objects.requireNonNull(at(node, path), () -> "missing " + path);
        }
    }
}
