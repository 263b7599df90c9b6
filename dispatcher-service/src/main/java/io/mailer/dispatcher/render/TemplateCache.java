package io.mailer.dispatcher.render;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import io.mailer.schemas.limits.TemplateRules;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled templates, least recently used first out. A batch's templates arrive with every one of
 * its sends, so compiling them once per batch (not once per recipient) is what makes rendering cheap.
 *
 * <p>The key is the batch id and the part; the source is kept with the entry and compared on a hit,
 * so a different template under a reused batch id is never served stale. A template that does not
 * compile is cached as its failure, so a bad batch costs one compile, not one per recipient.
 */
final class TemplateCache {

    enum Part { SUBJECT, HTML, TEXT }

    private record Key(String batchId, Part part) {
    }

    private record Entry(String source, Template template, RuntimeException failure) {
    }

    private final Map<Key, Entry> entries;

    TemplateCache(int maxEntries) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The compiled template; throws the (cached) compile error if the source is not valid Mustache. */
    Template get(String batchId, Part part, String source, Mustache.Compiler compiler) {
        Key key = new Key(batchId, part);
        Entry entry;
        synchronized (entries) {
            entry = entries.get(key);
        }
        if (entry == null || !entry.source().equals(source)) {
            // compiled outside the lock: a concurrent duplicate compile is harmless, a blocked poll is not
            entry = compile(source, compiler);
            synchronized (entries) {
                entries.put(key, entry);
            }
        }
        if (entry.failure() != null) {
            throw entry.failure();
        }
        return entry.template();
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static Entry compile(String source, Mustache.Compiler compiler) {
        java.util.Optional<String> broken = TemplateRules.violation(source);
        if (broken.isPresent()) {
            // the submit check's rules again: a record written before them, or by another producer
            return new Entry(source, null, new IllegalArgumentException(broken.get()));
        }
        try {
            return new Entry(source, compiler.compile(source), null);
        } catch (RuntimeException | StackOverflowError e) {
            return new Entry(source, null, new IllegalArgumentException(e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage(), e));
        }
    }
}
