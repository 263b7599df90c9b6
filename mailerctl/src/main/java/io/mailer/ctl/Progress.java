package io.mailer.ctl;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongFunction;

/**
 * A one-line progress bar: done/total, percent, rate and ETA, plus a caller's detail. On a terminal
 * it redraws in place ({@code \r}) at most ten times a second; otherwise (a pipe, a CI log) it
 * prints a plain line every {@code plainEvery} and at the end. On a terminal the line is kept
 * narrower than the terminal (the detail goes first, then the end is cut): a wrapped line cannot be
 * redrawn in place, each redraw would start a new line. Hand-written: a bar is 60 lines,
 * and a library would pull a terminal layer into the jar for it.
 */
final class Progress {

    private static final int WIDTH = 24;
    private static final long TTY_EVERY_NANOS = Duration.ofMillis(100).toNanos();

    private final PrintWriter out;
    private final boolean tty;
    private final int columns;
    private final String label;
    private final LongFunction<String> unit;
    private final long plainEveryNanos;
    private final long started = System.nanoTime();
    private long lastPrinted;
    private int lastWidth;

    /** columns: the terminal's width (tty only; 0 = unknown, no limit). */
    Progress(PrintWriter out, boolean tty, int columns, String label, LongFunction<String> unit, Duration plainEvery) {
        this.out = out;
        this.tty = tty;
        this.columns = columns;
        this.label = label;
        this.unit = unit;
        this.plainEveryNanos = plainEvery.toNanos();
        this.lastPrinted = started;
    }

    /** A new figure; printed only when it is time (throttled). total ≤ 0: unknown. */
    synchronized void update(long done, long total, String detail) {
        long now = System.nanoTime();
        if (now - lastPrinted >= (tty ? TTY_EVERY_NANOS : plainEveryNanos)) {
            print(done, total, detail, now);
        }
    }

    /** The last figure, always printed, and the line ended. */
    synchronized void finish(long done, long total, String detail) {
        print(done, total, detail, System.nanoTime());
        if (tty) {
            out.println();
        }
        out.flush();
    }

    void print(long done, long total, String detail, long now) {
        lastPrinted = now;
        double seconds = (now - started) / 1e9;
        String line = line(done, total, detail, seconds);
        if (tty) {
            // the last column too can make a terminal wrap: at most columns - 1
            int max = columns > 1 ? columns - 1 : Integer.MAX_VALUE;
            if (line.length() > max) {
                line = line(done, total, null, seconds);
            }
            if (line.length() > max) {
                line = line.substring(0, max);
            }
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    String line(long done, long total, String detail, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder b = new StringBuilder(label).append(' ');
        if (total > 0) {
            double fraction = Math.min(1, (double) done / total);
            int filled = (int) Math.round(fraction * WIDTH);
            b.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                    .append(String.format(java.util.Locale.ROOT, "%3d%%  ", (int) Math.floor(fraction * 100)))
                    .append(unit.apply(done)).append('/').append(unit.apply(total));
        } else {
            b.append(unit.apply(done));
        }
        b.append("  ").append(unit.apply((long) rate)).append("/s");
        if (detail != null && !detail.isEmpty()) {
            b.append("  ").append(detail);
        }
        if (total > 0 && done < total) {
            b.append("  ETA ").append(rate > 0 ? duration((long) ((total - done) / rate)) : "--:--");
        } else {
            b.append("  ").append(duration((long) seconds));
        }
        return b.toString();
    }

    static String duration(long seconds) {
        return seconds >= 3600 ? String.format(java.util.Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(java.util.Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
        }
        return String.format(java.util.Locale.ROOT, "%.2f GB", n / (1024.0 * 1024 * 1024));
    }

    static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }
}
