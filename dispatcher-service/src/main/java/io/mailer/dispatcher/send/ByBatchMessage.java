package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.SesBulkEmailFactory;
import io.mailer.schemas.commands.MessageContent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Bulk mode: a poll's sends of the same batch and message (From, Reply-To, headers, parts) form one
 * group, started when the poll's last send is prepared and split by {@link SesAttempts} into
 * SendBulkEmail calls. A send whose rendered message does not fit a bulk entry goes out alone with
 * SendEmail ({@link OneByOne}).
 */
final class ByBatchMessage implements Grouping {

    private record Key(String batchId, String tenantId, MessageContent message) {
    }

    private final OneByOne tooLarge;
    private final SesBulkEmailFactory factory;
    private final SesAttempts<SendBulkEmailOperation.Part> attempts;
    private final Map<Key, List<SesAttempts.Member<SendBulkEmailOperation.Part>>> groups = new LinkedHashMap<>();

    ByBatchMessage(OneByOne tooLarge, SesBulkEmailFactory factory, SesAttempts<SendBulkEmailOperation.Part> attempts) {
        this.tooLarge = tooLarge;
        this.factory = factory;
        this.attempts = attempts;
    }

    @Override
    public CompletableFuture<SendOutcome> add(SendPreparer.Preparation.Ready ready) {
        SesBulkEmailFactory.Entry entry = factory.entry(ready.send(), ready.rendered());
        if (entry == null) {
            return tooLarge.add(ready);
        }
        List<SesAttempts.Member<SendBulkEmailOperation.Part>> group = groups.computeIfAbsent(
                new Key(ready.send().batchId(), ready.send().tenantId(), ready.send().message()), k -> new ArrayList<>());
        // the call's shared part is built from the group's first send
        SendPreparer.Preparation.Ready lead = group.isEmpty() ? ready : group.get(0).part.lead();
        SesAttempts.Member<SendBulkEmailOperation.Part> member =
                new SesAttempts.Member<>(ready.send(), new SendBulkEmailOperation.Part(entry, lead));
        group.add(member);
        return member.outcome;
    }

    @Override
    public void startHeld() {
        groups.values().forEach(attempts::start);
        groups.clear();
    }
}
