package io.mailer.ingress;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import io.mailer.devstack.PackageRules;
import org.junit.jupiter.api.Test;

/**
 * The ingress's packages as its README describes them: no cycles between them, and the edges stay
 * edges — identity and scopes ({@code auth}) know nothing of HTTP answers ({@code web}), which map
 * every domain exception to a status in one place.
 */
class PackageStructureTest {

    @Test
    void shouldHaveNoCyclesBetweenPackages() {
        PackageRules.assertNoCycles("io.mailer.ingress");
    }

    @Test
    void shouldKeepAuthenticationFreeOfHttpAnswers() {
        noClasses().that().resideInAPackage("io.mailer.ingress.auth..")
                .should().dependOnClassesThat().resideInAPackage("io.mailer.ingress.web..")
                .check(PackageRules.mainClasses("io.mailer.ingress"));
    }
}
