package io.mailer.feedback;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.mailer.devstack.PackageRules;
import org.junit.jupiter.api.Test;

/** No cycles between this service's packages. */
class PackageStructureTest {

    private static final String INTAKE = "io.mailer.feedback.intake";

    @Test
    void shouldHaveNoCyclesBetweenPackages() {
        PackageRules.assertNoCycles("io.mailer.feedback");
    }

    /**
     * The rule above sees {@code intake} as one slice, so it would miss a cycle inside it: here each
     * intake package is a slice of its own, the shared {@code intake} package included (the edges
     * sqs, sns, ses and the pipeline depend on it, never the other way).
     */
    @Test
    void shouldHaveNoCyclesBetweenTheIntakePackages() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                return SliceIdentifier.of(javaClass.getPackageName());
            }

            @Override
            public String getDescription() {
                return "each package under " + INTAKE;
            }
        }).should().beFreeOfCycles().check(PackageRules.mainClasses(INTAKE));
    }
}
