package io.mailer.dispatcher.render;

import java.io.Writer;

/**
 * The budget of the render in progress on this thread: a writer that counts what every part of the
 * message writes, and a deadline that both the writer and the list iteration check (a loop that
 * writes nothing still ends). Rendering is synchronous on the calling thread, so a thread-local is
 * the budget's scope.
 */
final class BoundedRender {

    /** The render went over its budget; becomes {@code rendering:budget:<what>}. */
    static final class Exceeded extends RuntimeException {
        Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    private static final ThreadLocal<BoundedRender> CURRENT = new ThreadLocal<>();

    private final long maxChars;
    private final long deadlineNanos;
    private long written;

    private BoundedRender(RenderBudget budget) {
        this.maxChars = budget.maxOutputChars();
        this.deadlineNanos = System.nanoTime() + budget.maxTime().toNanos();
    }

    static BoundedRender begin(RenderBudget budget) {
        BoundedRender render = new BoundedRender(budget);
        CURRENT.set(render);
        return render;
    }

    void end() {
        CURRENT.remove();
    }

    /** Called from list iteration: throws when the render's time is up. */
    static void checkTime() {
        BoundedRender render = CURRENT.get();
        if (render != null) {
            render.checkDeadline();
        }
    }

    private void checkDeadline() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new Exceeded("took longer than the render budget");
        }
    }

    private void add(int chars) {
        written += chars;
        if (written > maxChars) {
            throw new Exceeded("output over " + maxChars + " characters");
        }
        checkDeadline();
    }

    /** A writer into a string that charges this render's budget. */
    Writer writer(StringBuilder into) {
        return new Writer() {
            @Override
            public void write(char[] chars, int off, int len) {
                add(len);
                into.append(chars, off, len);
            }

            @Override
            public void write(String s, int off, int len) {
                add(len);
                into.append(s, off, off + len);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
