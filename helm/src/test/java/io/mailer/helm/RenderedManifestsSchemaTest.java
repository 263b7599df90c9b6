package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest the chart renders is a valid Kubernetes object (offline, strict). */
class RenderedManifestsSchemaTest {

    private final KubernetesModelValidator validator = new KubernetesModelValidator();

    static Stream<Arguments> valuesFiles() {
        return Stream.of(Arguments.of("defaults", null), Arguments.of("production", Chart.productionValues()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void shouldRenderOnlyValidKubernetesObjects(String name, Path valuesFile) {
        // Given the chart rendered with these values
        Chart.Manifests manifests = Chart.render(valuesFile);

        // When every document is bound strictly to its Kubernetes model class
        List<String> problems = manifests.documents().stream().flatMap(doc -> validator.problems(doc).stream()).toList();

        // Then nothing is unknown or mistyped, and the expected objects are all there
        assertThat(problems).isEmpty();
        assertThat(manifests.documents()).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void shouldRenderTheTopicJobAsAValidObjectWhenNotAHook() {
        // helm-java's template leaves hooks out, so the Job is checked rendered as a plain resource
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("topics.hook", false)));

        assertThat(validator.problems(manifests.get("Job", "mailer-topics"))).isEmpty();
    }

    @Test
    void shouldRejectAMisspeltFieldAndAMistypedScalar() {
        // Given a Deployment with "replica" (not "replicas") and a quoted containerPort
        Map<String, Object> deployment = Chart.Manifests.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  replica: 3
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          ports: [{containerPort: 3000}]
                """).documents().get(0);
        Map<String, Object> service = Chart.Manifests.parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: broken}
                spec:
                  ports: [{port: "80"}]
                """).documents().get(0);
        Map<String, Object> unknownKind = Chart.Manifests.parse("""
                apiVersion: apps/v1
                kind: Deploymnet
                metadata: {name: broken}
                """).documents().get(0);

        // Then each is reported
        assertThat(validator.problems(deployment)).singleElement().asString()
                .contains("Deployment broken.spec").contains("unknown field(s) [replica]");
        assertThat(validator.problems(service)).singleElement().asString().contains("Service broken");
        assertThat(validator.problems(unknownKind)).singleElement().asString().contains("unknown apiVersion/kind");
    }
}
