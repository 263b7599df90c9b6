package io.mailer.ingress;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The ingress's packages as its README describes them: no cycles between them, and the edges stay
 * edges — identity and scopes ({@code auth}) know nothing of HTTP answers ({@code web}), which map
 * every domain exception to a status in one place.
 */
class PackageStructureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.mailer.ingress");

    @Test
    void shouldHaveNoCyclesBetweenPackages() {
        slices().matching("io.mailer.ingress.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void shouldKeepAuthenticationFreeOfHttpAnswers() {
        noClasses().that().resideInAPackage("io.mailer.ingress.auth..")
                .should().dependOnClassesThat().resideInAPackage("io.mailer.ingress.web..")
                .check(MAIN);
    }
}
