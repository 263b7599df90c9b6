package io.mailer.dispatcher.tenant;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The slice of the rate a THROTTLED tenant may use on this replica: a virtual clock per tenant that
 * advances by 1/rate for every send given a slot. A send whose slot is within {@link #BURST} goes
 * now; a later one keeps its slot (a reservation by send id) and is parked until then (a retry tier
 * brings it back, and it goes when its slot has come). So a throttled tenant's backlog never holds
 * up a poll — and therefore never the other tenants sharing its partitions — and a parked send is
 * not given a new slot each time it comes back.
 *
 * <p>Bound: one clock per tenant throttled on this replica, one reservation per send parked by it
 * (≈ 100 B each); both are dropped {@link #IDLE} after their slot passed (a send redelivered to
 * another replica after a rebalance gets a new slot there).
 */
public final class TenantThrottle {

    static final Duration BURST = Duration.ofSeconds(1);
    static final Duration IDLE = Duration.ofMinutes(15);

    private final Map<String, Long> nextSlotNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> reservedNanos = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private volatile long lastSweep;

    public TenantThrottle() {
        this(System::nanoTime);
    }

    TenantThrottle(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.lastSweep = nanoTime.getAsLong();
    }

    /**
     * Zero: send now; otherwise how long to park the send. {@code rate} is the tenant's sends/s on
     * this replica.
     */
    public Duration admit(String tenant, String sendId, double rate) {
        long now = nanoTime.getAsLong();
        sweep(now);
        Long reserved = reservedNanos.get(sendId);
        long slot;
        if (reserved != null) {
            slot = reserved;
        } else {
            long step = (long) (1e9 / Math.max(rate, 0.01));
            long[] at = new long[1];
            nextSlotNanos.compute(tenant, (k, next) -> {
                at[0] = next == null || next < now ? now : next;
                return at[0] + step;
            });
            slot = at[0];
        }
        long wait = slot - now;
        if (wait <= BURST.toNanos()) {
            reservedNanos.remove(sendId);
            return Duration.ZERO;
        }
        reservedNanos.put(sendId, slot);
        return Duration.ofNanos(wait);
    }

    public int tenants() {
        return nextSlotNanos.size();
    }

    public int reservations() {
        return reservedNanos.size();
    }

    private void sweep(long now) {
        if (now - lastSweep < Duration.ofSeconds(10).toNanos()) {
            return;
        }
        lastSweep = now;
        long horizon = now - IDLE.toNanos();
        nextSlotNanos.values().removeIf(next -> next < horizon);
        reservedNanos.values().removeIf(slot -> slot < horizon);
    }
}
