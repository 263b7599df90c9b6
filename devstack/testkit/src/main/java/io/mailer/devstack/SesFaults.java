package io.mailer.devstack;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The sandbox's fault switches and account state, changed by tests while requests are in flight
 * (hence volatile fields and thread-safe collections).
 */
final class SesFaults {

    private record PermanentFailure(Pattern address, String errorCode) {
    }

    private final double defaultMaxSendRate;
    private volatile Duration latency = Duration.ZERO;
    private volatile double throttleFraction;
    private final AtomicInteger serverErrorsLeft = new AtomicInteger();
    private final List<PermanentFailure> permanentFailures = new CopyOnWriteArrayList<>();
    private volatile boolean sendingPaused;
    /** An error code every send request answers with (IAM denying the call, bad credentials), or null. */
    private volatile String deniedWith;
    private volatile double maxSendRate;
    private volatile boolean enforceMaxSendRate;
    /** Send times (nanoTime) of the recipients accepted in the last second, for rate enforcement. */
    private final ArrayDeque<Long> recentRecipients = new ArrayDeque<>();

    SesFaults(double maxSendRate, boolean enforceMaxSendRate) {
        this.defaultMaxSendRate = maxSendRate;
        this.maxSendRate = maxSendRate;
        this.enforceMaxSendRate = enforceMaxSendRate;
    }

    void latency(Duration latency) {
        this.latency = latency == null ? Duration.ZERO : latency;
    }

    Duration latency() {
        return latency;
    }

    void throttleFraction(double fraction) {
        if (fraction < 0 || fraction > 1) {
            throw new IllegalArgumentException("throttle fraction must be within [0, 1]: " + fraction);
        }
        this.throttleFraction = fraction;
    }

    void failPermanently(String addressRegex, String errorCode) {
        permanentFailures.add(new PermanentFailure(Pattern.compile(addressRegex, Pattern.CASE_INSENSITIVE), errorCode));
    }

    void failServerErrors(int count) {
        serverErrorsLeft.set(Math.max(0, count));
    }

    void sendingPaused(boolean paused) {
        this.sendingPaused = paused;
    }

    void denyRequests(String errorCode) {
        this.deniedWith = errorCode;
    }

    void maxSendRate(double rate) {
        this.maxSendRate = rate;
    }

    double maxSendRate() {
        return maxSendRate;
    }

    boolean sendingEnabled() {
        return !sendingPaused;
    }

    void enforceMaxSendRate(boolean enforce) {
        this.enforceMaxSendRate = enforce;
    }

    void reset() {
        latency = Duration.ZERO;
        throttleFraction = 0;
        serverErrorsLeft.set(0);
        permanentFailures.clear();
        sendingPaused = false;
        deniedWith = null;
        maxSendRate = defaultMaxSendRate;
        synchronized (recentRecipients) {
            recentRecipients.clear();
        }
    }

    /** Faults that fail a whole request, in the order SES would meet them. */
    Optional<SesError> requestFault() {
        String denied = deniedWith;
        if (denied != null) {
            return Optional.of(SesError.of(denied, "User is not authorized to perform this action (sandbox fault)."));
        }
        if (sendingPaused) {
            return Optional.of(SesError.sendingPaused());
        }
        if (serverErrorsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            return Optional.of(SesError.serverError());
        }
        return Optional.empty();
    }

    /** Faults for one message (SendEmail) or one bulk entry, given all its recipients. */
    Optional<SesError> messageFault(List<String> recipients) {
        for (PermanentFailure rule : permanentFailures) {
            for (String recipient : recipients) {
                if (rule.address().matcher(SesEvents.bareAddress(recipient)).matches()) {
                    return Optional.of(SesError.of(rule.errorCode(),
                            "Rejected by sandbox rule " + rule.address().pattern() + " for " + recipient));
                }
            }
        }
        double fraction = throttleFraction;
        if (fraction > 0 && ThreadLocalRandom.current().nextDouble() < fraction) {
            return Optional.of(SesError.throttled());
        }
        if (enforceMaxSendRate && !admitWithinRate(recipients.size())) {
            return Optional.of(SesError.throttled());
        }
        return Optional.empty();
    }

    /** Like SES, the rate counts recipients per second. */
    private boolean admitWithinRate(int recipients) {
        long now = System.nanoTime();
        synchronized (recentRecipients) {
            while (!recentRecipients.isEmpty() && now - recentRecipients.peekFirst() >= 1_000_000_000L) {
                recentRecipients.pollFirst();
            }
            if (recentRecipients.size() + recipients > Math.max(1, (int) Math.floor(maxSendRate))) {
                return false;
            }
            for (int i = 0; i < recipients; i++) {
                recentRecipients.addLast(now);
            }
            return true;
        }
    }
}
