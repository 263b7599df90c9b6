package io.mailer.dispatcher.render;

import static io.mailer.dispatcher.Fixtures.message;
import static io.mailer.dispatcher.Fixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateRendererTest {

    private final TemplateRenderer renderer = new TemplateRenderer(10);

    @Test
    void shouldRenderSubjectHtmlAndTextWithRecipientVariablesAndEmail() {
        // Given a message using a variable, a nested variable, a list section and the implicit email
        var msg = message("Hi {{name}} & co", "<p>Hello {{name}} ({{email}}) from {{company.city}}</p>"
                + "{{#items}}<li>{{.}}</li>{{/items}}", "Hello {{name}}, your code is {{code}}");
        var send = send("b1", 0, "ann@example.com",
                Map.of("name", "Ann <Admin>", "company", Map.of("city", "Oslo"), "items", List.of("a", "b"),
                        "code", 42), msg);

        // When
        RenderedMessage rendered = renderer.render(send);

        // Then html is escaped, subject and text are plain text
        assertThat(rendered).isEqualTo(new RenderedMessage(
                "Hi Ann <Admin> & co",
                "<p>Hello Ann &lt;Admin&gt; (ann@example.com) from Oslo</p><li>a</li><li>b</li>",
                "Hello Ann <Admin>, your code is 42"));
    }

    @Test
    void shouldFailInsteadOfRenderingAMissingVariableAsEmpty() {
        // Given a recipient without the variable the html needs
        var send = send("b1", 1, "bob@example.com", Map.of("name", "Bob"),
                message("Hi {{name}}", "<p>Your code: {{code}}</p>", null));

        // When / Then
        assertThatThrownBy(() -> renderer.render(send))
                .isInstanceOf(RenderingException.class)
                .hasMessageStartingWith("html: ")
                .hasMessageContaining("code");
    }

    @Test
    void shouldFailOnANullVariableValue() {
        var variables = new java.util.HashMap<String, Object>();
        variables.put("name", null);
        var send = send("b1", 2, "carl@example.com", variables, message("Hi {{name}}", null, "x"));

        assertThatThrownBy(() -> renderer.render(send)).isInstanceOf(RenderingException.class)
                .hasMessageStartingWith("subject: ");
    }

    @Test
    void shouldNotCallMethodsOnValuesFromTemplates() {
        // Given a template that tries to reach Java methods of a String value
        var send = send("b1", 3, "dan@example.com", Map.of("name", "Dan"), message("{{name.bytes}}", null, "x"));

        // Then the lookup fails like any missing variable
        assertThatThrownBy(() -> renderer.render(send)).isInstanceOf(RenderingException.class);
    }

    @Test
    void shouldReportAnInvalidTemplateAsARenderingFailure() {
        var send = send("b2", 0, "eve@example.com", Map.of(), message("{{#open}} never closed", null, "x"));

        assertThatThrownBy(() -> renderer.render(send)).isInstanceOf(RenderingException.class)
                .hasMessageStartingWith("subject: ");
    }

    @Test
    void shouldLeaveAbsentPartsNull() {
        var send = send("b3", 0, "fay@example.com", Map.of(), message("Hello", null, "only text"));

        assertThat(renderer.render(send)).isEqualTo(new RenderedMessage("Hello", null, "only text"));
    }

    @Test
    void shouldCompileABatchTemplatesOnceAndRecompileWhenTheSourceChanges() {
        // Given two recipients of the same batch
        var msg = message("Hi {{name}}", "<b>{{name}}</b>", "{{name}}");
        renderer.render(send("b4", 0, "a@example.com", Map.of("name", "A"), msg));
        renderer.render(send("b4", 1, "b@example.com", Map.of("name", "B"), msg));
        assertThat(renderer.cachedTemplates()).isEqualTo(3);

        // When the same batch id arrives with another subject
        RenderedMessage changed = renderer.render(send("b4", 2, "c@example.com", Map.of("name", "C"),
                message("Bye {{name}}", "<b>{{name}}</b>", "{{name}}")));

        // Then the new source is used, not the cached one
        assertThat(changed.subject()).isEqualTo("Bye C");
        assertThat(renderer.cachedTemplates()).isEqualTo(3);
    }

    @Test
    void shouldEvictLeastRecentlyUsedTemplatesBeyondTheBound() {
        TemplateRenderer small = new TemplateRenderer(4);
        for (int batch = 0; batch < 10; batch++) {
            small.render(send("batch" + batch, 0, "a@example.com", Map.of(), message("s", "h", "t")));
        }
        assertThat(small.cachedTemplates()).isEqualTo(4);
    }

    @Test
    void shouldFailARenderThatWritesBeyondTheOutputBudget() {
        TemplateRenderer bounded = new TemplateRenderer(10, new RenderBudget(1_000, java.time.Duration.ofSeconds(5)));
        var send = send("big", 0, "a@example.com", Map.of("l", java.util.Collections.nCopies(100, 1)),
                message("s", "{{#l}}{{#l}}xx{{/l}}{{/l}}", null));

        assertThatThrownBy(() -> bounded.render(send)).isInstanceOf(RenderingException.class)
                .hasMessage("html: budget: output over 1000 characters");
        // the budget is per message: the next one renders
        assertThat(bounded.render(send("small", 0, "a@example.com", Map.of(), message("s", "ok", null))).html())
                .isEqualTo("ok");
    }

    @Test
    void shouldFailARenderThatLoopsPastTheTimeBudgetWithoutWriting() {
        TemplateRenderer bounded = new TemplateRenderer(10, new RenderBudget(1_000, java.time.Duration.ofMillis(200)));
        var items = java.util.Collections.nCopies(1_000, 1);
        var send = send("slow", 0, "a@example.com", Map.of("l", items),
                message("s", "{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}", null));

        assertThatThrownBy(() -> bounded.render(send)).isInstanceOf(RenderingException.class)
                .hasMessage("html: budget: took longer than the render budget");
    }

    @Test
    void shouldRefusePartialsAndDeepNestingAsRenderingFailures() {
        assertThatThrownBy(() -> renderer.render(send("p", 0, "a@example.com", Map.of(), message("{{> x}}", "h", null))))
                .isInstanceOf(RenderingException.class).hasMessageStartingWith("subject: ").hasMessageContaining("partial");
        String deep = "{{#a}}".repeat(3_000) + "{{/a}}".repeat(3_000);
        assertThatThrownBy(() -> renderer.render(send("d", 0, "a@example.com", Map.of(), message("s", deep, null))))
                .isInstanceOf(RenderingException.class).hasMessageContaining("deeper than 16");
    }
}
