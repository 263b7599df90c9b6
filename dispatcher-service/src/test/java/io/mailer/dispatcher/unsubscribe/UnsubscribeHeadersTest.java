package io.mailer.dispatcher.unsubscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.dispatcher.Fixtures;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnsubscribeHeadersTest {

    private final UnsubscribeToken tokens = new UnsubscribeToken("s3cret");

    @Test
    void shouldAddOneClickHeadersToMarketingMailOnly() {
        UnsubscribeHeaders headers = new UnsubscribeHeaders("https://mail.example.com/", tokens);
        var marketing = Fixtures.send("b1", 0, " Ann@Example.COM ", Map.of(), Fixtures.message("s", "h", "t"));
        var m = Fixtures.message("s", "h", "t");
        var transactional = Fixtures.send("b1", 1, "ann@example.com", Map.of(),
                new io.mailer.schemas.commands.MessageContent(m.from(), m.replyTo(), m.subject(), m.html(), m.text(),
                        m.headers(), m.tags(), null, true));

        // the token names the normalized address, which is the suppression key
        assertThat(headers.forSend(marketing)).containsExactly(
                Map.entry("List-Unsubscribe",
                        "<https://mail.example.com/unsubscribe/" + tokens.issue("acme", "ann@example.com") + ">"),
                Map.entry("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"));
        assertThat(headers.forSend(transactional)).isEmpty();
    }
}
