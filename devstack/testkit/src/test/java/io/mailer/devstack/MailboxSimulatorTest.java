package io.mailer.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MailboxSimulatorTest {

    @Test
    void shouldMapEachSimulatorAddressLabelledOrNotAndEveryOtherAddressToItsOutcome() {
        List<String> addresses = List.of(
                "success@simulator.amazonses.com",
                "ooto@simulator.amazonses.com",
                "bounce@simulator.amazonses.com",
                "Bounce+batch-7@Simulator.AmazonSES.com",          // labels and case do not matter
                "suppressionlist+x@simulator.amazonses.com",
                "complaint@simulator.amazonses.com",
                "Ada <complaint+a@simulator.amazonses.com>",       // display names are ignored
                "bounce@example.org",                              // not the simulator domain
                "whatever@simulator.amazonses.com");

        Map<String, MailboxSimulator> outcomes = new LinkedHashMap<>();
        addresses.forEach(a -> outcomes.put(a, MailboxSimulator.outcomeFor(a)));

        assertThat(outcomes).containsExactly(
                Map.entry("success@simulator.amazonses.com", MailboxSimulator.DELIVERED),
                Map.entry("ooto@simulator.amazonses.com", MailboxSimulator.DELIVERED),
                Map.entry("bounce@simulator.amazonses.com", MailboxSimulator.BOUNCED),
                Map.entry("Bounce+batch-7@Simulator.AmazonSES.com", MailboxSimulator.BOUNCED),
                Map.entry("suppressionlist+x@simulator.amazonses.com", MailboxSimulator.ON_SUPPRESSION_LIST),
                Map.entry("complaint@simulator.amazonses.com", MailboxSimulator.DELIVERED_THEN_COMPLAINED),
                Map.entry("Ada <complaint+a@simulator.amazonses.com>", MailboxSimulator.DELIVERED_THEN_COMPLAINED),
                Map.entry("bounce@example.org", MailboxSimulator.DELIVERED),
                Map.entry("whatever@simulator.amazonses.com", MailboxSimulator.DELIVERED));
    }
}
