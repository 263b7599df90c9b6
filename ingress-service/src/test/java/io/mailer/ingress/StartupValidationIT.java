package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Started as a real process with a bad environment, the service exits at once naming the variable. */
class StartupValidationIT {

    @Test
    void shouldExitAtOnceNamingMissingAndMalformedVariables() throws Exception {
        Result result = run(Map.of("DATABASE_URL", "mysql://nope/db", "PORT", "eighty"));

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr)
                .contains("KAFKA_BOOTSTRAP_SERVERS is required")
                .contains("DATABASE_URL must be a postgres://")
                .contains("PORT must be a port number");
        assertThat(result.seconds).isLessThan(20);
    }

    private record Result(int exitCode, String stderr, long seconds) {
    }

    private static Result run(Map<String, String> env) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                IngressApplication.class.getName()));
        pb.environment().clear();
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the service did not exit");
        }
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.exitValue(), stderr, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
    }
}
