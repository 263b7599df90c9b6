package io.mailer.ingress.console;

import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The operator console: static files under {@code classpath:/static/console/}, served by Boot's
 * resource handler at {@code /console/**}. These routes add the entry points it lacks:
 * {@code /console} redirects to {@code /console/}, which answers the app's index.html (the
 * relative URLs in it then resolve under {@code /console/}). The console calls only the public
 * API, with the key from the browser's session storage.
 */
@Configuration
class ConsoleRoutes {

    static final Resource INDEX = new ClassPathResource("static/console/index.html");

    @Bean
    RouterFunction<ServerResponse> consoleEntry() {
        return RouterFunctions.route()
                .GET("/console", req -> ServerResponse.permanentRedirect(URI.create("/console/")).build())
                .GET("/console/", req -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(INDEX))
                .build();
    }
}
