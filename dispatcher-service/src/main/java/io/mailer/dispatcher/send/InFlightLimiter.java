package io.mailer.dispatcher.send;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * At most {@code limit} units held at once, without blocking any thread: work beyond the limit waits
 * in a FIFO queue and starts when earlier work completes and gives its units back. Two are used: SES
 * calls in flight (one unit per call) and the duplicate window (one unit per send, held from before
 * the call until the send is in the ledger). The limit can change at any time ({@link ConcurrencyTuner}):
 * a lower one lets the work in progress finish, a higher one starts waiting work at once.
 */
public final class InFlightLimiter {

    private record Waiting(int units, Runnable start) {
    }

    private final Queue<Waiting> waiting = new ArrayDeque<>();
    private final ThreadLocal<boolean[]> draining = ThreadLocal.withInitial(() -> new boolean[1]);
    private int limit;
    private int inFlight;

    public InFlightLimiter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
    }

    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
        return submit(1, call);
    }

    /**
     * Runs {@code call} once {@code units} are free, holding them until its future completes. A request
     * for more units than the limit starts when nothing else is held (it is never stuck).
     */
    public <T> CompletableFuture<T> submit(int units, Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        int held = Math.max(1, units);
        Runnable start = () -> run(held, call, result);
        boolean now;
        synchronized (this) {
            now = waiting.isEmpty() && fits(held);
            if (now) {
                inFlight += held;
            } else {
                waiting.add(new Waiting(held, start));
            }
        }
        if (now) {
            start.run();
        }
        return result;
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int waiting() {
        return waiting.size();
    }

    public synchronized int limit() {
        return limit;
    }

    /** A new limit (at least 1); waiting work that now fits starts at once. */
    public void setLimit(int newLimit) {
        synchronized (this) {
            limit = Math.max(1, newLimit);
        }
        startWaiting();
    }

    private boolean fits(int units) {
        return inFlight == 0 || inFlight + units <= limit;
    }

    private <T> void run(int units, Supplier<CompletableFuture<T>> call, CompletableFuture<T> result) {
        CompletableFuture<T> started;
        try {
            started = call.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((value, error) -> {
            // hand the units over before completing, so the next call starts even if a callback throws
            release(units);
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
    }

    private void release(int units) {
        synchronized (this) {
            inFlight -= units;
        }
        startWaiting();
    }

    /**
     * Starts the waiting work that fits. Work may complete synchronously and release inside a start; a
     * nested call on the same thread returns at once and the outer loop picks up what it freed, so a
     * long queue of instantly-completing work never deepens the stack.
     */
    private void startWaiting() {
        boolean[] active = draining.get();
        if (active[0]) {
            return;
        }
        active[0] = true;
        try {
            while (true) {
                Waiting next;
                synchronized (this) {
                    if (waiting.isEmpty() || !fits(waiting.peek().units())) {
                        return;
                    }
                    next = waiting.poll();
                    inFlight += next.units();
                }
                next.start().run();
            }
        } finally {
            active[0] = false;
        }
    }
}
