package io.mailer.ingress.batch;

import io.mailer.schemas.commands.RecipientEntry;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A batch's recipients as {@link BatchSubmitter} writes them: one at a time, each with the size of
 * its JSON encoding (measured once, when validated). A JSON body knows all of them before anything
 * is written; an NDJSON body yields them while its lines arrive ({@link NdjsonBatchReader}).
 */
interface RecipientSource {

    /** A validated recipient and the size of its JSON encoding. */
    record Sized(RecipientEntry entry, int bytes) {
    }

    boolean hasNext();

    Sized next();

    /** Every recipient's size, in order, when all are known before writing; null for a stream. */
    int[] knownSizes();

    /** The most recipients this source can yield: the total the chunks before the last carry. */
    int upperBound();

    /** Recipients already in memory (a JSON body): {@code sizes[i]} is the size of {@code recipients[i]}. */
    static RecipientSource of(List<RecipientEntry> recipients, int[] sizes) {
        return new RecipientSource() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < recipients.size();
            }

            @Override
            public Sized next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Sized sized = new Sized(recipients.get(next), sizes[next]);
                next++;
                return sized;
            }

            @Override
            public int[] knownSizes() {
                return sizes;
            }

            @Override
            public int upperBound() {
                return recipients.size();
            }
        };
    }
}
