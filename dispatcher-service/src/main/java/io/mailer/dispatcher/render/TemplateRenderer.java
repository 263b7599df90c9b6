package io.mailer.dispatcher.render;

import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders a send's subject, html and text with jmustache against the recipient's variables plus
 * {@code email}.
 *
 * <p>Two deliberate choices:
 * <ul>
 *   <li>A missing variable is an error, never an empty string: no {@code defaultValue} and no
 *       {@code nullValue} are set, so jmustache throws and the send fails with
 *       {@code rendering:<message>} instead of going out as "Dear ,".</li>
 *   <li>Variables are looked up in maps and lists only ({@link BasicCollector}, no reflection), so a
 *       tenant's template cannot call methods on Java objects.</li>
 * </ul>
 * Html is HTML-escaped; subject and text are plain text and are not.
 */
public final class TemplateRenderer {

    private final Mustache.Compiler html;
    private final Mustache.Compiler plain;
    private final TemplateCache cache;

    public TemplateRenderer(int cacheSize) {
        Mustache.Compiler base = Mustache.compiler().withCollector(new MapsAndListsOnly());
        this.html = base.escapeHTML(true);
        this.plain = base.escapeHTML(false);
        this.cache = new TemplateCache(cacheSize);
    }

    public RenderedMessage render(SendRequest send) {
        MessageContent m = send.message();
        Map<String, Object> context = new HashMap<>(send.variables());
        // the recipient's own variables win: a batch may deliberately greet a different address
        context.putIfAbsent("email", send.email());
        return new RenderedMessage(
                render(send.batchId(), TemplateCache.Part.SUBJECT, m.subject(), plain, context),
                render(send.batchId(), TemplateCache.Part.HTML, m.html(), html, context),
                render(send.batchId(), TemplateCache.Part.TEXT, m.text(), plain, context));
    }

    int cachedTemplates() {
        return cache.size();
    }

    private String render(String batchId, TemplateCache.Part part, String source, Mustache.Compiler compiler,
            Map<String, Object> context) {
        if (source == null) {
            return null;
        }
        try {
            return cache.get(batchId, part, source, compiler).execute(context);
        } catch (MustacheException e) {
            throw new RenderingException(part.name().toLowerCase() + ": " + e.getMessage(), e);
        }
    }

    private static final class MapsAndListsOnly extends BasicCollector {
        @Override
        public <K, V> Map<K, V> createFetcherCache() {
            return new ConcurrentHashMap<>();
        }
    }
}
