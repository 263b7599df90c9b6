package io.mailer.schemas.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TemplateRulesTest {

    @Test
    void shouldAcceptOrdinaryTemplates() {
        assertThat(TemplateRules.violation("Hi {{name}}, {{#items}}<li>{{.}}</li>{{/items}} {{{raw}}} {{! note}}")).isEmpty();
        assertThat(TemplateRules.violation(null)).isEmpty();
        assertThat(TemplateRules.violation("no tags at all")).isEmpty();
    }

    @Test
    void shouldRefusePartialsParentsAndDelimiterChanges() {
        assertThat(TemplateRules.violation("{{> header}}")).get().asString().contains("partial");
        assertThat(TemplateRules.violation("{{< layout}}{{/layout}}")).get().asString().contains("inheritance");
        assertThat(TemplateRules.violation("{{$ block}}x{{/block}}")).get().asString().contains("inheritance");
        assertThat(TemplateRules.violation("{{=<% %>=}}<% name %>")).get().asString().contains("delimiters");
    }

    @Test
    void shouldRefuseNestingBeyondTheBoundButNotAtIt() {
        assertThat(TemplateRules.violation(nested(TemplateRules.MAX_SECTION_DEPTH))).isEmpty();
        assertThat(TemplateRules.violation(nested(TemplateRules.MAX_SECTION_DEPTH + 1))).get().asString()
                .contains("deeper than " + TemplateRules.MAX_SECTION_DEPTH);
        // sibling sections do not add up
        assertThat(TemplateRules.violation("{{#a}}x{{/a}}".repeat(1000))).isEmpty();
    }

    static String nested(int depth) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            s.append("{{#s").append(i).append("}}");
        }
        s.append("x");
        for (int i = depth - 1; i >= 0; i--) {
            s.append("{{/s").append(i).append("}}");
        }
        return s.toString();
    }
}
