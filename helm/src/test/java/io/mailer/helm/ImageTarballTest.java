package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images Jib builds with -Pimages (target/jib-image.tar per service; on whenever
 * MAILER_IMAGE_BASE names a base, as in CI): loaded from the tarball, their config is what the
 * chart, compose and ECS assume — uid 1000, the service's port, a java entrypoint, the capped JVM
 * flags, OCI labels — and, as root, the entrypoint really starts the service from the image's own
 * layers (a chroot as uid 1000): with no settings it stops at the startup check, exit code 2.
 * Skipped when no image was built and no base is configured.
 */
class ImageTarballTest {

    private static final boolean BASE_CONFIGURED = System.getenv("MAILER_IMAGE_BASE") != null;

    @Test
    void shouldBuildEachServiceImageAsTheDeploymentsExpect(@TempDir Path work) throws Exception {
        Map<String, String> services = ComposeFileTest.SERVICES;
        int built = 0;
        Path rootfs = work.resolve("rootfs");
        String extractedBase = null;
        for (var e : services.entrySet()) {
            Path tarball = Chart.repoRoot().resolve(e.getKey() + "/target/jib-image.tar");
            if (!Files.exists(tarball)) {
                assertThat(BASE_CONFIGURED).as("MAILER_IMAGE_BASE is set but %s was not built", tarball).isFalse();
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
            List<String> entrypoint = (List<String>) config.get("Entrypoint");
            assertThat(entrypoint).first().isEqualTo("java");
            assertThat(entrypoint).last().asString().startsWith("io.mailer.");
            List<String> env = (List<String>) config.get("Env");
            assertThat(env).anyMatch(v -> v.startsWith("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=50.0")
                    && v.contains("-XX:MaxDirectMemorySize=") && v.contains("-XX:MaxMetaspaceSize="));
            assertThat((Map<String, String>) config.get("Labels")).containsEntry("org.opencontainers.image.title", e.getKey())
                    .containsEntry("org.opencontainers.image.version", "0.1.0");

            if (isRoot()) {
                List<String> layers = (List<String>) manifest.get(0).get("Layers");
                extractedBase = extract(tarball, layers, rootfs, extractedBase);
                assertStartsAndChecksItsSettings(e.getKey(), rootfs, entrypoint, env);
            }
        }
        assumeTrue(built > 0, "no image tarball: build them with ./mvnw -Pimages package (docs/operations.md#images)");
    }

    /**
     * The image's filesystem: its first layer (the base, shared by every service image and kept
     * between services) and then its own layers over a fresh /app. Returns the base layer's name.
     */
    private static String extract(Path tarball, List<String> layers, Path rootfs, String extractedBase) throws Exception {
        if (!layers.get(0).equals(extractedBase)) {
            run(List.of("rm", "-rf", rootfs.toString()), 300);
            Files.createDirectories(rootfs);
            untarLayer(tarball, layers.get(0), rootfs);
        }
        run(List.of("rm", "-rf", rootfs.resolve("app").toString()), 60);
        for (String layer : layers.subList(1, layers.size())) {
            untarLayer(tarball, layer, rootfs);
        }
        return layers.get(0);
    }

    /** Runs the entrypoint with the image's environment only, as uid 1000 in /app, /proc mounted. */
    private static void assertStartsAndChecksItsSettings(String service, Path rootfs, List<String> entrypoint,
            List<String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork",
                "--mount-proc=" + rootfs.resolve("proc"), "chroot", "--userspec=1000:1000", rootfs.toString(),
                "/usr/bin/env", "-i", "-C", "/app"));
        command.addAll(env);
        command.addAll(entrypoint);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as("%s did not stop at its settings check:%n%s", service, output).isTrue();
        assertThat(p.exitValue()).as("%s's exit code:%n%s", service, output).isEqualTo(2);
        assertThat(output).as(service).contains("is required");
    }

    private static void untarLayer(Path tarball, String layer, Path into) throws Exception {
        String unzip = layer.endsWith(".gz") ? " -z" : "";
        run(List.of("sh", "-c", "tar -xOf \"$0\" \"$1\" | tar -x" + unzip + " -C \"$2\" -f - --no-same-owner",
                tarball.toString(), layer, into.toString()), 300);
    }

    private static void run(List<String> command, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("%s", command).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, output).isZero();
    }

    /** chroot and mount namespaces need root (CI runs as root). */
    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String entry(Path tarball, String name) throws Exception {
        Process tar = new ProcessBuilder("tar", "-xOf", tarball.toString(), name).start();
        String content = new String(tar.getInputStream().readAllBytes());
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as("%s in %s", name, tarball).isZero();
        return content;
    }
}
