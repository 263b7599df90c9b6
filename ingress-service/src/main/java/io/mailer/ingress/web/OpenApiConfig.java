package io.mailer.ingress.web;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

/** OpenAPI 3 metadata for springdoc: served at /v3/api-docs, Swagger UI at /swagger-ui.html. */
@Configuration
@OpenAPIDefinition(info = @Info(title = "Mailer ingress API", version = "v1",
        description = "Bulk email batches, suppressions, API keys and admin views. Errors are application/problem+json (RFC 9457)."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", description = "An API key: mk_live_...")
class OpenApiConfig {
}
