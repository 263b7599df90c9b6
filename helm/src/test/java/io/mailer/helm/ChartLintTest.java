package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** helm lint --strict with the defaults and with the production-like values. */
class ChartLintTest {

    @Test
    void shouldLintCleanInStrictModeWithTheRequiredValues(@TempDir Path dir) throws IOException {
        assertClean(lintWith(Chart.requiredValues(), dir));
    }

    @Test
    void shouldLintCleanInStrictModeWithTheProductionValues(@TempDir Path dir) throws IOException {
        assertClean(lintWith(Chart.productionValues(), dir));
    }

    /** helm-java's lint takes no values file: lint a copy whose values.yaml has them merged in, as helm would. */
    private static LintResult lintWith(Path valuesFile, Path dir) throws IOException {
        Path copy = dir.resolve("mailer");
        copyTree(Chart.dir(), copy);
        Yaml yaml = new Yaml();
        Map<String, Object> merged = merge(yaml.load(Chart.read(Chart.dir().resolve("values.yaml"))),
                yaml.load(Chart.read(valuesFile)));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(copy.resolve("values.yaml"), new Yaml(options).dump(merged));
        return new Helm(copy).lint().strict().call();
    }

    private static void assertClean(LintResult lint) {
        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    /** Helm's coalescing: maps merge key by key, everything else (lists included) is replaced. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        override.forEach((key, value) -> out.merge(key, value, (a, b) -> a instanceof Map<?, ?> am && b instanceof Map<?, ?> bm
                ? merge((Map<String, Object>) am, (Map<String, Object>) bm) : b));
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(source -> {
                try {
                    Files.copy(source, to.resolve(from.relativize(source).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
