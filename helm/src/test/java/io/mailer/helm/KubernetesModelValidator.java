package io.mailer.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a manifest against the Kubernetes API model offline: it must bind to the typed class of
 * its apiVersion/kind (fabric8's model, generated from the Kubernetes OpenAPI schemas) with every
 * field known at every depth and every scalar of the right type. A misspelt field, a field at the
 * wrong level or "3000" where an integer belongs is an error, as in kubeconform's strict mode.
 */
final class KubernetesModelValidator {

    private final ObjectMapper mapper;

    KubernetesModelValidator() {
        JsonMapper strict = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();
        // no silent "3000" -> 3000 or "true" -> true: the API server rejects those too
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            strict.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        this.mapper = strict;
    }

    /** The problems of one manifest; empty when it is valid. */
    List<String> problems(Map<String, Object> manifest) {
        String id = manifest.get("apiVersion") + "/" + manifest.get("kind") + " "
                + Chart.Tree.at(manifest, "metadata.name");
        KubernetesResource resource;
        try {
            resource = mapper.convertValue(manifest, KubernetesResource.class);
        } catch (IllegalArgumentException e) {
            return List.of(id + ": " + e.getMessage());
        }
        if (resource == null || resource instanceof GenericKubernetesResource) {
            return List.of(id + ": unknown apiVersion/kind (no model class)");
        }
        List<String> problems = new ArrayList<>();
        unknownFields(resource, id, problems, new IdentityHashMap<>());
        return problems;
    }

    /** fabric8 keeps unknown fields in additionalProperties instead of failing: find them. */
    private static void unknownFields(Object node, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Object value = read(field, node);
                if (field.getName().equals("additionalProperties") && value instanceof Map<?, ?> extra) {
                    if (!extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    unknownFields(value, path + "." + field.getName(), problems, seen);
                }
            }
        }
    }

    private static Object read(Field field, Object owner) {
        try {
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
