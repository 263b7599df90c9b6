package io.mailer.topology;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** No cycles between this service's packages: each folder can be read, and changed, on its own terms. */
class PackageStructureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.mailer.topology");

    @Test
    void shouldHaveNoCyclesBetweenPackages() {
        slices().matching("io.mailer.topology.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
