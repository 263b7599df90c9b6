package io.mailer.webhook;

import io.mailer.devstack.PackageRules;
import org.junit.jupiter.api.Test;

/** No cycles between this service's packages. */
class PackageStructureTest {

    @Test
    void shouldHaveNoCyclesBetweenPackages() {
        PackageRules.assertNoCycles("io.mailer.webhook");
    }
}
