package io.mailer.devstack;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Package rules every service's tests check (ArchUnit): a folder can be read, and changed, on its
 * own terms only if no two packages depend on each other.
 */
public final class PackageRules {

    private PackageRules() {
    }

    /** The production classes under {@code root} (tests left out). */
    public static JavaClasses mainClasses(String root) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(root);
    }

    /** Fails, naming each cycle and the dependencies that make it, if the packages below {@code root} have one. */
    public static void assertNoCycles(String root) {
        slices().matching(root + ".(*)..").should().beFreeOfCycles().check(mainClasses(root));
    }
}
