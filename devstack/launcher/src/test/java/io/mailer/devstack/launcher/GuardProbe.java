package io.mailer.devstack.launcher;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Diagnostics of the reputation guard in the one-JVM stack, from the platform MBean server (Kafka
 * clients, Streams and the embedded broker all register there): where the guard's stream thread
 * spends its time (Streams' own ratios), its commit and poll latencies, its producer's transaction
 * timings, the broker's request times, and the CPU of the busiest threads. One line per call.
 */
final class GuardProbe {

    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private final Map<String, Double> lastTotals = new HashMap<>();
    private long lastNanos = System.nanoTime();
    /** Where the guard's stream thread is, sampled every 10 ms: "what it is doing" → samples. */
    private final Map<String, Integer> where = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread stackSampler;

    /**
     * {@code stacks}: also sample the guard thread's stack every 10 ms ({@code -Dreputation.probe.stacks=true}).
     * Off by default: each sample stops the guard's thread for a moment (a thread-dump handshake).
     */
    GuardProbe(boolean stacks) {
        stackSampler = stacks ? new Thread(this::sampleStacks, "guard-stack-sampler") : null;
        if (stackSampler != null) {
            stackSampler.setDaemon(true);
            stackSampler.start();
        }
    }

    void close() {
        if (stackSampler != null) {
            stackSampler.interrupt();
        }
    }

    private void sampleStacks() {
        long id = -1;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
            if (id < 0) {
                for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                    if (info != null && info.getThreadName().startsWith("mailer.reputation") && info.getThreadName().contains("StreamThread")) {
                        id = info.getThreadId();
                    }
                }
                continue;
            }
            ThreadInfo info = THREADS.getThreadInfo(id, 60);
            if (info == null) {
                id = -1;
                continue;
            }
            where.merge(classify(info.getStackTrace()), 1, Integer::sum);
        }
    }

    /** The innermost frame of interest: the Kafka client call the thread is in, or the app's code. */
    private static String classify(StackTraceElement[] stack) {
        String[][] marks = {
            {"KafkaProducer", "flush"}, {"TransactionManager", "sendOffsetsToTransaction"}, {"KafkaProducer", "sendOffsetsToTransaction"},
            {"KafkaProducer", "commitTransaction"}, {"KafkaProducer", "beginTransaction"}, {"KafkaProducer", "send"},
            {"ClassicKafkaConsumer", "poll"}, {"KafkaConsumer", "poll"}, {"KafkaConsumer", "committed"}, {"KafkaConsumer", "position"},
            {"KafkaConsumer", "groupMetadata"}, {"rocksdb", ""}, {"ReputationCounter", "flush"}, {"ReputationCounter", "process"},
            {"ReputationGuard", ""}, {"TaskManager", "commit"}, {"TaskManager", "process"}, {"TaskManager", "punctuate"}};
        for (StackTraceElement f : stack) {
            for (String[] m : marks) {
                if (f.getClassName().contains(m[0]) && f.getMethodName().startsWith(m[1])) {
                    String cls = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1);
                    return cls + "." + f.getMethodName();
                }
            }
        }
        return stack.length == 0 ? "?" : stack[0].getClassName().substring(stack[0].getClassName().lastIndexOf('.') + 1) + "." + stack[0].getMethodName();
    }

    String sample() {
        StringBuilder out = new StringBuilder();
        long now = System.nanoTime();
        double secs = Math.max(1e-3, (now - lastNanos) / 1e9);
        lastNanos = now;
        thread(out, "mailer.reputation", "reputation");
        thread(out, "mailer.topology", "fanout");
        Map<String, Integer> seen = new java.util.TreeMap<>(where);
        where.clear();
        int samples = seen.values().stream().mapToInt(Integer::intValue).sum();
        out.append(" | guard thread (").append(stackSampler == null ? "stack sampling off" : samples + " samples").append("):");
        seen.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(6)
                .forEach(e -> out.append(String.format(" %s %d%%", e.getKey(), 100 * e.getValue() / Math.max(1, samples))));
        out.append(" | broker:");
        for (String req : List.of("Produce", "Fetch", "EndTxn", "TxnOffsetCommit", "WriteTxnMarkers", "AddPartitionsToTxn",
                "OffsetCommit", "InitProducerId")) {
            Object total = attr("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=" + req, "Mean");
            Object queue = attr("kafka.network:type=RequestMetrics,name=RequestQueueTimeMs,request=" + req, "Mean");
            double c = 0;
            for (ObjectName n : query("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + req + ",*")) {
                Object count = attr(n, "Count");
                c += count == null ? 0 : ((Number) count).doubleValue();
            }
            Double before = lastTotals.put("req" + req, c);
            Object local = attr("kafka.network:type=RequestMetrics,name=LocalTimeMs,request=" + req, "Mean");
            Object remote = attr("kafka.network:type=RequestMetrics,name=RemoteTimeMs,request=" + req, "Mean");
            out.append(String.format(" %s %.0f/s total %s queue %s local %s remote %s;", req, before == null ? 0 : (c - before) / secs,
                    fmt(total), fmt(queue), fmt(local), fmt(remote)));
        }
        out.append(" idle ").append(fmt(attr("kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent",
                "OneMinuteRate")));
        out.append(" reqQueue ").append(fmt(attr("kafka.network:type=RequestChannel,name=RequestQueueSize", "Value")));
        long gcMs = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        Double gcBefore = lastTotals.put("gc", (double) gcMs);
        out.append(String.format(" | gc %.0f ms/s heap %d MB", gcBefore == null ? 0 : (gcMs - gcBefore) / secs,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20));
        out.append(" | cpu%:");
        List<long[]> cpu = new ArrayList<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long t = THREADS.getThreadCpuTime(info.getThreadId());
            if (t < 0) {
                continue;
            }
            Long before = lastCpu.put(info.getThreadId(), t);
            if (before != null) {
                cpu.add(new long[] {info.getThreadId(), t - before});
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        long sum = cpu.stream().mapToLong(c -> c[1]).sum();
        out.append(String.format(" all %.0f", 100 * sum / 1e9 / secs));
        cpu.sort(Comparator.comparingLong((long[] c) -> c[1]).reversed());
        for (long[] c : cpu.subList(0, Math.min(8, cpu.size()))) {
            out.append(String.format(" [%s %.0f]", names.get(c[0]), 100 * c[1] / 1e9 / secs));
        }
        for (long[] c : cpu) {
            String name = names.get(c[0]);
            if (name.contains("mailer.reputation") && name.contains("StreamThread")) {
                out.append(String.format(" guardThread %.0f", 100 * c[1] / 1e9 / secs));
            }
        }
        return out.toString();
    }

    private void thread(StringBuilder out, String appId, String app) {
        Set<ObjectName> names = query("kafka.streams:type=stream-thread-metrics,thread-id=" + appId + "-*");
        for (ObjectName name : names) {
            String label = app + "#" + name.getKeyProperty("thread-id").replaceAll(".*-StreamThread-", "");
            out.append(' ').append(label).append(':');
            for (String a : List.of("process-rate", "process-records-avg", "poll-rate", "poll-records-avg", "poll-latency-avg",
                    "commit-rate", "commit-latency-avg", "commit-latency-max", "punctuate-rate", "punctuate-latency-avg",
                    "process-ratio", "poll-ratio", "commit-ratio", "punctuate-ratio", "blocked-time-ns-total")) {
                out.append(' ').append(a).append('=').append(fmt(attr(name, a)));
            }
            for (String a : List.of("process-total", "commit-total", "poll-total", "punctuate-total")) {
                Object v = attr(name, a);
                if (v instanceof Number n) {
                    Double before = lastTotals.put(label + a, n.doubleValue());
                    out.append(" Δ").append(a).append('=').append(fmt(before == null ? null : n.doubleValue() - before));
                }
            }
            String thread = name.getKeyProperty("thread-id");
            for (ObjectName p : query("kafka.producer:type=producer-metrics,client-id=" + thread + "-producer")) {
                for (String a : List.of("txn-commit-time-ns-total", "txn-begin-time-ns-total", "txn-send-offsets-time-ns-total",
                        "flush-time-ns-total", "record-retry-total", "record-send-total", "request-latency-avg",
                        "request-latency-max", "batch-size-avg", "records-per-request-avg")) {
                    Object v = attr(p, a);
                    if (a.endsWith("-total") && v instanceof Number n) {
                        Double before = lastTotals.put(label + a, n.doubleValue());
                        out.append(" p.").append(a).append("/s=").append(fmt(before == null ? null : n.doubleValue() - before));
                    } else {
                        out.append(" p.").append(a).append('=').append(fmt(v));
                    }
                }
            }
            for (ObjectName c : query("kafka.consumer:type=consumer-fetch-manager-metrics,client-id=" + thread + "-consumer")) {
                for (String a : List.of("fetch-rate", "fetch-latency-avg", "records-per-request-avg", "records-consumed-rate",
                        "records-lag-max")) {
                    out.append(" c.").append(a).append('=').append(fmt(attr(c, a)));
                }
            }
            for (ObjectName c : query("kafka.consumer:type=consumer-metrics,client-id=" + thread + "-consumer")) {
                for (String a : List.of("time-between-poll-avg", "poll-idle-ratio-avg")) {
                    out.append(" c.").append(a).append('=').append(fmt(attr(c, a)));
                }
            }
        }
    }

    private static Set<ObjectName> query(String pattern) {
        try {
            return MBEANS.queryNames(new ObjectName(pattern), null);
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static Object attr(String name, String attribute) {
        try {
            return attr(new ObjectName(name), attribute);
        } catch (Exception e) {
            return null;
        }
    }

    private static Object attr(ObjectName name, String attribute) {
        try {
            return MBEANS.getAttribute(name, attribute);
        } catch (Exception e) {
            return null;
        }
    }

    private static String fmt(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return "-";
            }
            return Math.abs(d) >= 100 ? String.format("%.0f", d) : String.format("%.3g", d);
        }
        return v == null ? "-" : v.toString();
    }
}
