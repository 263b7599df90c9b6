package io.mailer.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The course of one benchmark fan-out, read from the PROGRESS lines {@link StreamsProcess} prints
 * four times a second: how long the first 10 % of the chunks took (a fresh JVM compiles its hot
 * paths meanwhile) and the rate of the other 90 %.
 */
record StreamsProgress(double warmUpSeconds, double steadyRecipientsPerSecond) {

    static final StreamsProgress NONE = new StreamsProgress(Double.NaN, Double.NaN);

    private static final Pattern LINE = Pattern.compile("PROGRESS t=(\\d+) processed=(\\d+)");

    private record Sample(long atMs, long processed) {
    }

    static StreamsProgress of(Path streamsLog, int chunks, int recipientsPerChunk) {
        List<Sample> samples;
        try {
            samples = Files.readAllLines(streamsLog).stream().map(LINE::matcher).filter(Matcher::find)
                    .map(m -> new Sample(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long tenth = chunks / 10;
        Sample idle = samples.stream().filter(s -> s.processed() == 0).reduce((a, b) -> b).orElse(null);
        Sample warm = samples.stream().filter(s -> s.processed() >= tenth).findFirst().orElse(null);
        Sample done = samples.stream().filter(s -> s.processed() >= chunks).findFirst().orElse(null);
        if (idle == null || warm == null || done == null || done.atMs() == warm.atMs()) {
            return NONE;
        }
        double steady = (done.processed() - warm.processed()) * (double) recipientsPerChunk
                / ((done.atMs() - warm.atMs()) / 1000.0);
        return new StreamsProgress((warm.atMs() - idle.atMs()) / 1000.0, steady);
    }
}
