package io.mailer.dispatcher.render;

import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Mustache;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.limits.TemplateRules;
import java.util.HashMap;
import java.util.Iterator;
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
 *
 * <p>A tenant's template can never stop the caller: templates breaking {@link TemplateRules}
 * (partials, parents, deep nesting) fail to compile, the render runs under a {@link RenderBudget}
 * (output and time), and anything thrown while rendering, {@link Error}s such as a stack overflow
 * included, becomes a {@link RenderingException} for that recipient.
 */
public final class TemplateRenderer {

    private final Mustache.Compiler html;
    private final Mustache.Compiler plain;
    private final TemplateCache cache;
    private final RenderBudget budget;

    public TemplateRenderer(int cacheSize) {
        this(cacheSize, RenderBudget.DEFAULT);
    }

    public TemplateRenderer(int cacheSize, RenderBudget budget) {
        this.budget = budget;
        Mustache.Compiler base = Mustache.compiler().withCollector(new MapsAndListsOnly())
                .withLoader(name -> {
                    throw new UnsupportedOperationException("partials are not supported");
                });
        this.html = base.escapeHTML(true);
        this.plain = base.escapeHTML(false);
        this.cache = new TemplateCache(cacheSize);
    }

    public RenderedMessage render(SendRequest send) {
        MessageContent m = send.message();
        Map<String, Object> context = new HashMap<>(send.variables());
        // the recipient's own variables win: a batch may deliberately greet a different address
        context.putIfAbsent("email", send.email());
        BoundedRender bounded = BoundedRender.begin(budget);
        try {
            return new RenderedMessage(
                    render(send.batchId(), TemplateCache.Part.SUBJECT, m.subject(), plain, context, bounded),
                    render(send.batchId(), TemplateCache.Part.HTML, m.html(), html, context, bounded),
                    render(send.batchId(), TemplateCache.Part.TEXT, m.text(), plain, context, bounded));
        } finally {
            bounded.end();
        }
    }

    int cachedTemplates() {
        return cache.size();
    }

    private String render(String batchId, TemplateCache.Part part, String source, Mustache.Compiler compiler,
            Map<String, Object> context, BoundedRender bounded) {
        if (source == null) {
            return null;
        }
        String name = part.name().toLowerCase();
        try {
            StringBuilder out = new StringBuilder(Math.min(source.length() * 2, 64 * 1024));
            cache.get(batchId, part, source, compiler).execute(context, bounded.writer(out));
            return out.toString();
        } catch (BoundedRender.Exceeded e) {
            throw new RenderingException(name + ": budget: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw new RenderingException(name + ": nested too deeply to render", e);
        } catch (OutOfMemoryError e) {
            // the JVM's state, not this template's verdict: liveness restarts the replica
            throw e;
        } catch (Throwable e) {
            throw new RenderingException(name + ": " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static final class MapsAndListsOnly extends BasicCollector {
        @Override
        public <K, V> Map<K, V> createFetcherCache() {
            return new ConcurrentHashMap<>();
        }

        /** Every step of every section loop checks the render's deadline. */
        @Override
        public Iterator<?> toIterator(Object value) {
            Iterator<?> items = super.toIterator(value);
            if (items == null) {
                return null;
            }
            return new Iterator<Object>() {
                @Override
                public boolean hasNext() {
                    return items.hasNext();
                }

                @Override
                public Object next() {
                    BoundedRender.checkTime();
                    return items.next();
                }
            };
        }
    }
}
