package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import io.mailer.devstack.SesSandbox;
import io.mailer.schemas.reputation.TenantEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The reputation guard on the whole embedded pipeline (REST → topology → dispatcher → SES sandbox
 * → SNS/SQS → feedback → delivery-events → reputation guard → tenant-states → dispatcher), at
 * {@code SES_MAX_SEND_RATE=200} with the default policy (pause at 5 % hard bounces over ≥ 200 sends).
 *
 * <p>Ten tenants submit batches of 50 round-robin, paced just under the SES rate, so their sends are
 * interleaved on {@code sends} as steady concurrent traffic would be. Tenant {@code t0} sends twice as
 * much and has a stale list: 15 % of its recipients are
 * {@code bounce+…@simulator.amazonses.com} (three in every twenty), so its true bounce rate crosses
 * 5 % at its 200th send, the first moment the policy may act. Sizes are modest so the test fits the
 * default build (≈ 1,000 + 9 × 500 sends, ~30 s of sending): the figures are printed.
 */
class ReputationGuardE2EIT {

    static final int TENANTS = 10;
    static final int BATCH = 50;
    static final int OTHER_BATCHES = 10;
    static final int BAD_BATCHES = 20;
    static final int CROSSING = 200; // minSends: at 15 % the rate is over 5 % as soon as it counts
    static final String BAD = "t0";
    /** One round of 11 batches (550 recipients) every 3 s: ~183 recipients/s. */
    static final Duration ROUND = Duration.ofSeconds(3);

    static DevStack stack;
    static MailerServices services;
    static WebTestClient api;
    static MailerApi mailer;
    static String operatorKey;
    static final Map<String, String> sendKeys = new HashMap<>();

    @BeforeAll
    static void startEverything() {
        // 4 event publishers (batches of ≤ 10): at 200 sends/s the sandbox's default 2 fell behind on this
        // machine, where real SES reports a bounce within seconds; more threads only make smaller batches
        stack = DevStack.start(DevStack.Options.defaults().sesConfig(SesSandbox.Config.defaults().eventPublishers(4)));
        operatorKey = stack.env().get("MAILER_BOOTSTRAP_ADMIN_KEY");
        services = MailerServices.start(stack.env(Map.of("SES_MAX_SEND_RATE", "200")), MailerServices.Ports.RANDOM);
        api = WebTestClient.bindToServer().baseUrl("http://localhost:" + services.ingressPort())
                .responseTimeout(Duration.ofSeconds(60)).build();
        mailer = new MailerApi(api, operatorKey);
        for (int t = 0; t < TENANTS; t++) {
            sendKeys.put("t" + t, mailer.createKey("t" + t, List.of("send", "read")));
        }
    }

    @AfterAll
    static void stopEverything() {
        if (sampleAdmin != null) {
            sampleAdmin.close(Duration.ofSeconds(5));
        }
        if (services != null) {
            services.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldPauseTheBouncingTenantHoldItsSendsSpareTheOthersAndReleaseTheHeldOnesOnceOnResume() throws Exception {
        // Given ten tenants sending at once, t0 with 15 % hard bounces
        Instant submitStart = Instant.now();
        Thread sampler = sampler();
        // ten rounds, each a batch of 50 per tenant (two for t0), paced at ~180 recipients/s: steady
        // traffic just under SES_MAX_SEND_RATE, t0 at ~18 % of it throughout
        int overruns = rounds(true, 0);
        Instant submitEnd = Instant.now();

        // Then t0 is PAUSED, for its bounce rate
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> "PAUSED".equals(mailer.get(operatorKey, "/api/v1/admin/tenants/" + BAD).get("state")));
        Instant pauseSeen = Instant.now();
        sampler.interrupt();
        Map<?, ?> paused = mailer.get(operatorKey, "/api/v1/admin/tenants/" + BAD);
        assertThat((String) paused.get("reason")).startsWith("bounce-rate ");

        // and every other tenant's sends all go out, once
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, List<String>> byTenant = recipientsByTenant(stack.ses().sent());
            for (int t = 1; t < TENANTS; t++) {
                assertThat(byTenant.getOrDefault("t" + t, List.of())).as("t" + t).hasSize(OTHER_BATCHES * BATCH);
            }
        });
        Thread.sleep(3_000); // anything of t0's still in flight would show now
        List<SesSandbox.SentMessage> beforeResume = stack.ses().sent();
        Map<String, List<String>> byTenant = recipientsByTenant(beforeResume);
        for (int t = 1; t < TENANTS; t++) {
            assertThat(new HashSet<>(byTenant.get("t" + t))).as("t" + t + " exactly once").hasSize(OTHER_BATCHES * BATCH);
        }
        List<String> badSent = byTenant.getOrDefault(BAD, List.of());
        int afterCrossing = badSent.size() - CROSSING;
        int held = BAD_BATCHES * BATCH - badSent.size();

        List<Instant> badTimes = beforeResume.stream().filter(m -> tenantOf(m).equals(BAD))
                .flatMap(m -> m.recipients().stream().map(r -> m.receivedAt())).toList();
        System.out.printf("reputation guard timeline: submit %s, first send %s, t0 #1 %s, t0 #%d %s, t0 last %s, "
                + "pause since %s, pause seen %s, others' last %s%n", submitStart, beforeResume.get(0).receivedAt(),
                badTimes.get(0), CROSSING, badTimes.size() >= CROSSING ? badTimes.get(CROSSING - 1) : null,
                badTimes.get(badTimes.size() - 1), paused.get("since"), pauseSeen,
                beforeResume.get(beforeResume.size() - 1).receivedAt());
        // the figures first (printed even when a check below fails), then the checks
        long bounces = beforeResume.stream().flatMap(m -> m.recipients().stream()).filter(r -> r.startsWith("bounce+")).count();
        long all = beforeResume.stream().mapToLong(m -> m.recipients().size()).sum();
        double accountBounceRate = (double) bounces / all;
        // the others' rate while t0 was paused (its sends parked) and they kept submitting; compared at
        // the end with the same tenants' rate in the same window of a run without t0
        Instant pausedAt = lastOf(beforeResume, BAD);
        double offered = (TENANTS - 1) * BATCH / (ROUND.toMillis() / 1000.0);
        Instant from = pausedAt.plusSeconds(1);
        double after = from.isBefore(submitEnd) ? meanPerSecond(beforeResume, BAD, from, submitEnd) : Double.NaN;
        double before = offered;
        System.out.printf("reputation guard: t0 sent %d (%d after crossing at %d), held %d; account bounce rate %.4f; "
                + "the other tenants offered %.1f recipients/s and SES took %.1f/s of theirs while t0 was paused (%.1f %%); "
                + "submission took %s (%d of %d rounds over %s)%n", badSent.size(),
                afterCrossing, CROSSING, held, accountBounceRate, before, after, 100 * after / before,
                Duration.between(submitStart, submitEnd), overruns, OTHER_BATCHES, ROUND);

        // t0 was stopped within 500 of its sends after crossing, and the rest is held, not failed
        assertThat(afterCrossing).as("t0 sends after crossing the pause threshold").isLessThanOrEqualTo(500);
        assertThat(held).as("t0 sends held").isPositive();
        assertThat(accountBounceRate).as("account-wide hard-bounce rate").isLessThan(0.02);
        Map<?, ?> list = mailer.get(operatorKey, "/api/v1/admin/tenants?limit=100");
        assertThat(((Number) ((Map<?, ?>) list.get("account")).get("bounceRate")).doubleValue()).isLessThan(0.02);
        assertThat(Duration.between(from, submitEnd)).as("t0 paused while the others still submitted")
                .isGreaterThan(Duration.ofSeconds(3));

        // no tenant harmed another: only t0 changed state
        assertThat(tenantEvents()).extracting(TenantEvent::tenantId).containsOnly(BAD);
        for (int t = 1; t < TENANTS; t++) {
            assertThat(mailer.get(operatorKey, "/api/v1/admin/tenants/t" + t).get("state")).isEqualTo("ACTIVE");
        }

        // a paused tenant's admin reads its own state, cannot resume itself, and cannot read others
        String badAdmin = mailer.createKey(BAD, List.of("admin"));
        assertThat(mailer.get(badAdmin, "/api/v1/admin/tenants/" + BAD).get("state")).isEqualTo("PAUSED");
        api.post().uri("/api/v1/admin/tenants/" + BAD + "/resume").header("Authorization", "Bearer " + badAdmin)
                .exchange().expectStatus().isForbidden();
        api.get().uri("/api/v1/admin/tenants/t1").header("Authorization", "Bearer " + badAdmin)
                .exchange().expectStatus().isNotFound();
        // its new batches are accepted with a warning (the default policy) and held too
        Map<?, ?> accepted = mailer.submit(sendKeys.get(BAD), batch(BAD, BAD_BATCHES * BATCH, 20), 202);
        assertThat((String) accepted.get("warning")).startsWith("tenant-paused");
        Thread.sleep(2_000);
        assertThat(recipientsByTenant(stack.ses().sent()).get(BAD)).hasSize(badSent.size());

        // When the operator raises t0's thresholds (it is finishing a list it cleaned) and resumes it
        api.put().uri("/api/v1/admin/tenants/" + BAD + "/policy").header("Authorization", "Bearer " + operatorKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("reputation", Map.of("throttleBounceRate", 0.4, "pauseBounceRate", 0.5)))
                .exchange().expectStatus().isOk();
        api.post().uri("/api/v1/admin/tenants/" + BAD + "/resume").header("Authorization", "Bearer " + operatorKey)
                .exchange().expectStatus().isAccepted();

        // Then every held send goes out, exactly once
        int total = BAD_BATCHES * BATCH + 20;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(recipientsByTenant(stack.ses().sent()).getOrDefault(BAD, List.of())).hasSize(total));
        Thread.sleep(3_000);
        List<String> finalBad = recipientsByTenant(stack.ses().sent()).get(BAD);
        assertThat(finalBad).hasSize(total);
        assertThat(new HashSet<>(finalBad)).as("each t0 recipient once").hasSize(total);
        assertThat(mailer.get(operatorKey, "/api/v1/admin/tenants/" + BAD).get("state")).isEqualTo("ACTIVE");
        assertThat(tenantEvents()).extracting(TenantEvent::to).last().hasToString("ACTIVE");

        // And the others lost no throughput to t0: the same nine tenants, the same rounds, without t0 —
        // run last, on the warmest JVMs — carry no more in the same window after the submission's start.
        // (Compared with this run, not with the 150/s offered: the one-JVM pipeline on this machine
        // carries less than that with or without t0, which is the machine's limit, not harm.)
        Instant baselineStart = Instant.now();
        rounds(false, OTHER_BATCHES);
        Instant baselineEnd = Instant.now();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, List<String>> sentTo = recipientsByTenant(stack.ses().sent());
            for (int t = 1; t < TENANTS; t++) {
                assertThat(sentTo.getOrDefault("t" + t, List.of())).as("t" + t).hasSize(2 * OTHER_BATCHES * BATCH);
            }
        });
        Instant baselineFrom = baselineStart.plus(Duration.between(submitStart, from));
        double alone = meanPerSecond(stack.ses().sent(), BAD, baselineFrom, baselineEnd);
        System.out.printf("reputation guard: the other tenants without t0 (same rounds, window %s after the start): SES took "
                + "%.1f/s of theirs; with t0 paused %.1f/s (%.1f %%)%n", Duration.between(submitStart, from), alone, after,
                100 * after / alone);
        assertThat(after).as("others' sends/s while t0 was paused vs the same tenants alone").isGreaterThanOrEqualTo(0.95 * alone);
    }

    /**
     * {@code OTHER_BATCHES} rounds, one every {@code ROUND}: with t0, t0's two batches lead each round,
     * then the others' nine go in at once (one after another they took ~0.85 s each on the loaded shared
     * machine: rounds of 9 s instead of 3 s). Recipients numbered from {@code firstRound}, so a later
     * run's are new addresses. Returns the rounds that overran {@code ROUND}.
     */
    private static int rounds(boolean withBad, int firstRound) throws Exception {
        int overruns = 0;
        var submitters = java.util.concurrent.Executors.newFixedThreadPool(TENANTS - 1);
        try {
            for (int round = firstRound; round < firstRound + OTHER_BATCHES; round++) {
                long roundStart = System.nanoTime();
                List<java.util.concurrent.Future<?>> submitted = new ArrayList<>();
                if (withBad) {
                    mailer.submit(sendKeys.get(BAD), batch(BAD, round * BATCH * 2, BATCH), 202);
                    mailer.submit(sendKeys.get(BAD), batch(BAD, round * BATCH * 2 + BATCH, BATCH), 202);
                }
                for (int t = 1; t < TENANTS; t++) {
                    String tenant = "t" + t;
                    int first = round * BATCH;
                    submitted.add(submitters.submit(() -> mailer.submit(sendKeys.get(tenant), batch(tenant, first, BATCH), 202)));
                }
                for (var f : submitted) {
                    f.get();
                }
                long left = ROUND.toNanos() - (System.nanoTime() - roundStart);
                if (left > 0) {
                    Thread.sleep(left / 1_000_000);
                } else {
                    overruns++;
                }
            }
        } finally {
            submitters.shutdownNow();
        }
        return overruns;
    }

    /** Once a second: what SES took of t0, the sandbox's events not yet on SQS, and the guard's view of t0. */
    private static Thread sampler() {
        // the probe (-Dreputation.probe=true) costs CPU the pipeline shares: off by default
        GuardProbe probe = Boolean.getBoolean("reputation.probe") ? new GuardProbe(Boolean.getBoolean("reputation.probe.stacks")) : null;
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1_000);
                    Map<?, ?> s = api.get().uri("/api/v1/admin/tenants/" + BAD).header("Authorization", "Bearer " + operatorKey)
                            .exchange().expectBody(Map.class).returnResult().getResponseBody();
                    System.out.printf("reputation sample %s: ses t0=%d all=%d, sandbox events pending=%d published=%d, "
                                    + "delivery-events %s, guard %s %s%n",
                            Instant.now(), recipientsByTenant(stack.ses().sent()).getOrDefault(BAD, List.of()).size(),
                            stack.ses().recipientsSent(), stack.ses().pendingEvents(), stack.ses().publishedEvents(),
                            deliveryEventsProgress(), s == null ? null : s.get("state"), s == null ? null : s.get("window"));
                    if (probe != null) {
                        System.out.println("guard probe " + Instant.now() + ":" + probe.sample());
                    }
                } catch (InterruptedException e) {
                    if (probe != null) {
                        probe.close();
                    }
                    return;
                } catch (RuntimeException e) {
                    System.out.println("reputation sample failed: " + e);
                }
            }
        }, "reputation-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static org.apache.kafka.clients.admin.Admin sampleAdmin;

    /** One admin client for the sampler (a new one each second cost the shared CPU a client's start-up). */
    private static synchronized org.apache.kafka.clients.admin.Admin sampleAdmin() {
        if (sampleAdmin == null) {
            sampleAdmin = stack.kafka().admin();
        }
        return sampleAdmin;
    }

    /** Records on delivery-events, and how many of them the reputation guard's group has committed. */
    private static String deliveryEventsProgress() {
        String topic = stack.topics().deliveryEvents.name();
        try {
            var admin = sampleAdmin();
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            long end = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(p -> p,
                            p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get().values().stream()
                    .mapToLong(o -> o.offset()).sum();
            long committed = admin.listConsumerGroupOffsets("mailer.reputation").partitionsToOffsetAndMetadata().get()
                    .entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset()).sum();
            return "end=" + end + " guard-committed=" + committed;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // the sampler is being stopped
            }
            return "unknown (" + e + ")";
        }
    }

    /** Batch of {@code size} recipients from {@code first}: t0's every 20th, 21st, 22nd... three of twenty bounce. */
    private static String batch(String tenant, int first, int size) {
        StringBuilder recipients = new StringBuilder();
        for (int i = first; i < first + size; i++) {
            boolean bounce = tenant.equals(BAD) && i % 20 < 3;
            recipients.append(i == first ? "" : ",").append("{\"email\":\"").append(bounce ? "bounce" : "success")
                    .append('+').append(tenant).append('-').append(i).append("@simulator.amazonses.com\"}");
        }
        return "{\"from\":\"" + tenant + "@example.com\",\"subject\":\"Hi\",\"text\":\"Hello\",\"recipients\":[" + recipients + "]}";
    }

    private static String tenantOf(SesSandbox.SentMessage m) {
        String r = m.recipients().get(0);
        return r.substring(r.indexOf('+') + 1, r.indexOf('-'));
    }

    private static Map<String, List<String>> recipientsByTenant(List<SesSandbox.SentMessage> sent) {
        Map<String, List<String>> out = new TreeMap<>();
        for (SesSandbox.SentMessage m : sent) {
            for (String r : m.recipients()) {
                out.computeIfAbsent(r.substring(r.indexOf('+') + 1, r.indexOf('-')), k -> new ArrayList<>()).add(r);
            }
        }
        return out;
    }

    private static Instant lastOf(List<SesSandbox.SentMessage> sent, String tenant) {
        return sent.stream().filter(m -> tenantOf(m).equals(tenant)).map(SesSandbox.SentMessage::receivedAt)
                .max(Instant::compareTo).orElseThrow();
    }

    /** Recipients per second accepted in [from, to), all tenants but {@code except}. */
    private static double meanPerSecond(List<SesSandbox.SentMessage> sent, String except, Instant from, Instant to) {
        long n = sent.stream().filter(m -> !m.receivedAt().isBefore(from) && m.receivedAt().isBefore(to))
                .filter(m -> except == null || !tenantOf(m).equals(except)).mapToLong(m -> m.recipients().size()).sum();
        return n / (Duration.between(from, to).toMillis() / 1000.0);
    }


    private static List<TenantEvent> tenantEvents() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String topic = stack.topics().tenantEvents.name();
        List<TenantEvent> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                stack.topics().tenantEvents.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
            }
        }
        events.sort(java.util.Comparator.comparing(TenantEvent::occurredAt));
        return events;
    }

}
