package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The images Jib builds with -Pimages (target/jib-image.tar per service): loaded from the tarball,
 * their config is what the chart, compose and ECS assume — uid 1000, the service's port, a java
 * entrypoint, the capped JVM flags, OCI labels. Skipped when the images were not built.
 */
class ImageTarballTest {

    @Test
    void shouldBuildEachServiceImageAsTheDeploymentsExpect() throws Exception {
        Map<String, String> services = ComposeFileTest.SERVICES;
        int built = 0;
        for (var e : services.entrySet()) {
            Path tarball = Chart.repoRoot().resolve(e.getKey() + "/target/jib-image.tar");
            if (!Files.exists(tarball)) {
                continue;
            }
            built++;
            List<Map<String, Object>> manifest = Chart.JSON.readValue(entry(tarball, "manifest.json"), new TypeReference<>() { });
            Map<String, Object> image = Chart.JSON.readValue(entry(tarball, (String) manifest.get(0).get("Config")), new TypeReference<>() { });
            Map<String, Object> config = Chart.Tree.require(image, "config");
            String port = Workloads.PORTS.get(e.getValue()).toString();

            assertThat((List<String>) manifest.get(0).get("RepoTags")).containsExactly("mailer/" + e.getKey() + ":0.1.0");
            assertThat(config).containsEntry("User", "1000:1000").containsEntry("WorkingDir", "/app");
            assertThat((Map<String, Object>) config.get("ExposedPorts")).containsOnlyKeys(port + "/tcp");
            assertThat((List<String>) config.get("Entrypoint")).first().isEqualTo("java");
            assertThat((List<String>) config.get("Entrypoint")).last().asString().startsWith("io.mailer.");
            assertThat((List<String>) config.get("Env")).anyMatch(v -> v.startsWith("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=50.0")
                    && v.contains("-XX:MaxDirectMemorySize=") && v.contains("-XX:MaxMetaspaceSize="));
            assertThat((Map<String, String>) config.get("Labels")).containsEntry("org.opencontainers.image.title", e.getKey())
                    .containsEntry("org.opencontainers.image.version", "0.1.0");
        }
        assumeTrue(built > 0, "no image tarball: build them with ./mvnw -Pimages package (docs/operations.md#images)");
    }

    private static String entry(Path tarball, String name) throws Exception {
        Process tar = new ProcessBuilder("tar", "-xOf", tarball.toString(), name).start();
        String content = new String(tar.getInputStream().readAllBytes());
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as("%s in %s", name, tarball).isZero();
        return content;
    }
}
