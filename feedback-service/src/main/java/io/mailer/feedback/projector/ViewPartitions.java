package io.mailer.feedback.projector;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The daily partitions of the view tables {@code recipient} and {@code event} (changeset
 * 011-view-partitions): both are {@code PARTITION BY RANGE (batch_at)}, one partition per UTC day
 * named {@code <table>_pYYYYMMDD}, covering {@code [day 00:00Z, day+1 00:00Z)}. There is no
 * DEFAULT partition: a default partition would have to be scanned (and locked) by every later
 * partition creation, so partitions are created ahead by {@link PartitionMaintenance} and, for a
 * day that has none yet, on demand before the projector's transaction ({@link #ensure}).
 *
 * <p>Retention: a day is kept while any moment of it is within {@code retentionDays} of now; the
 * days before {@link #horizon()} are dropped as whole partitions ({@link #dropExpired}), and the
 * projector does not write rows of such days (they would be dropped anyway, and re-creating a
 * dropped day would resurrect a partition for a few late rows).
 *
 * <p>Creating a partition takes only a SHARE UPDATE EXCLUSIVE lock on the parent (CREATE TABLE
 * LIKE + ATTACH PARTITION, not CREATE TABLE ... PARTITION OF, which takes ACCESS EXCLUSIVE), and
 * dropping detaches first with {@code DETACH PARTITION ... CONCURRENTLY} (PostgreSQL 14+), so
 * neither blocks the projector's reads and writes of the other days.
 */
public final class ViewPartitions {

    public static final int DEFAULT_RETENTION_DAYS = 90;
    public static final int DEFAULT_DAYS_AHEAD = 7;
    static final List<String> TABLES = List.of("recipient", "event");
    /** Serialises partition creation (projector consumers on demand, the maintenance job). */
    private static final String CREATE_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('mailer.view-partitions.create', 0))";
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final Pattern NAME = Pattern.compile("^(recipient|event)_p(\\d{8})$");
    private static final Logger log = LoggerFactory.getLogger(ViewPartitions.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final int retentionDays;
    private final Clock clock;
    /** Days known to have both partitions (positive cache; forgotten on any write failure). */
    private final Set<LocalDate> known = ConcurrentHashMap.newKeySet();

    public ViewPartitions(JdbcTemplate jdbc, int retentionDays) {
        this(jdbc, retentionDays, Clock.systemUTC());
    }

    public ViewPartitions(JdbcTemplate jdbc, int retentionDays, Clock clock) {
        if (retentionDays < 1) {
            throw new IllegalArgumentException("retentionDays must be at least 1, got " + retentionDays);
        }
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource()));
        this.retentionDays = retentionDays;
        this.clock = clock;
    }

    public int retentionDays() {
        return retentionDays;
    }

    public static LocalDate day(Instant batchAt) {
        return LocalDate.ofInstant(batchAt, ZoneOffset.UTC);
    }

    public static String name(String table, LocalDate day) {
        return table + "_p" + SUFFIX.format(day);
    }

    public LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** The oldest day kept: days before it hold only rows older than the retention. */
    public LocalDate horizon() {
        return LocalDate.ofInstant(clock.instant().minus(java.time.Duration.ofDays(retentionDays)), ZoneOffset.UTC);
    }

    /** Whether rows of this batch day are still kept (not before {@link #horizon()}). */
    public boolean retained(LocalDate day) {
        return !day.isBefore(horizon());
    }

    /** Makes sure both tables have a partition for each day (outside any caller transaction). */
    public void ensure(Collection<LocalDate> days) {
        for (LocalDate d : new TreeSet<>(days)) {
            if (!known.contains(d)) {
                create(d);
                known.add(d);
            }
        }
    }

    /** Forgets what {@link #ensure} remembers (after a failed write: a partition may have been dropped). */
    public void forget() {
        known.clear();
    }

    /** Creates the partitions of today .. today + daysAhead that are missing; returns the days created. */
    public List<LocalDate> createAhead(int daysAhead) {
        List<LocalDate> created = new ArrayList<>();
        LocalDate today = today();
        for (int i = 0; i <= daysAhead; i++) {
            if (create(today.plusDays(i))) {
                created.add(today.plusDays(i));
            }
            known.add(today.plusDays(i));
        }
        return created;
    }

    /** Creates a day's partitions if missing; true if it created one. */
    boolean create(LocalDate day) {
        Boolean created = transaction.execute(status -> {
            jdbc.query(CREATE_LOCK, rs -> null);
            boolean any = false;
            for (String table : TABLES) {
                String name = name(table, day);
                if (attached(table, name)) {
                    continue;
                }
                String options = table.equals("event")
                        ? " WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.005)" : "";
                jdbc.execute("CREATE TABLE IF NOT EXISTS " + name + " (LIKE " + table
                        + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)" + options);
                jdbc.execute("ALTER TABLE " + table + " ATTACH PARTITION " + name + " FOR VALUES FROM ('" + day
                        + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')");
                any = true;
            }
            return any;
        });
        if (Boolean.TRUE.equals(created)) {
            log.info("Created the view partitions of {}", day);
        }
        return Boolean.TRUE.equals(created);
    }

    private boolean attached(String table, String name) {
        Boolean b = jdbc.queryForObject("""
                SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                               WHERE i.inhparent = to_regclass(?) AND c.relname = ?)""", Boolean.class, table, name);
        return Boolean.TRUE.equals(b);
    }

    /** The days that have a partition of {@code table} (attached or not), oldest first. */
    public List<LocalDate> days(String table) {
        List<LocalDate> days = new ArrayList<>();
        for (String n : jdbc.queryForList("SELECT relname::text FROM pg_class WHERE relkind IN ('r', 'p')"
                + " AND relnamespace = current_schema()::regnamespace AND relname ~ ?", String.class,
                "^" + table + "_p[0-9]{8}$")) {
            Matcher m = NAME.matcher(n);
            if (m.matches()) {
                days.add(LocalDate.parse(m.group(2), SUFFIX));
            }
        }
        days.sort(null);
        return days;
    }

    /**
     * Detaches and drops the partitions of the days before {@link #horizon()}: {@code DETACH
     * PARTITION ... CONCURRENTLY} (no lock that blocks the projector; it waits for the transactions
     * that may still see the partition), then {@code DROP TABLE} of the detached table. A detach
     * interrupted earlier (left "detach pending") is finalized first. Returns the days dropped.
     */
    public List<LocalDate> dropExpired() {
        LocalDate horizon = horizon();
        Set<LocalDate> dropped = new TreeSet<>();
        boolean concurrently = serverVersion() >= 140000;
        for (String table : TABLES) {
            if (concurrently) {
                for (String pending : jdbc.queryForList("""
                        SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = to_regclass(?) AND i.inhdetachpending""", String.class, table)) {
                    jdbc.execute("ALTER TABLE " + table + " DETACH PARTITION " + pending + " FINALIZE");
                }
            }
            for (LocalDate d : days(table)) {
                if (!d.isBefore(horizon)) {
                    continue;
                }
                known.remove(d);
                String name = name(table, d);
                long start = System.nanoTime();
                if (attached(table, name)) {
                    jdbc.execute("ALTER TABLE " + table + " DETACH PARTITION " + name + (concurrently ? " CONCURRENTLY" : ""));
                }
                long detached = System.nanoTime();
                jdbc.execute("DROP TABLE IF EXISTS " + name);
                log.info("Dropped {}: detach {} ms, drop {} ms", name, (detached - start) / 1_000_000,
                        (System.nanoTime() - detached) / 1_000_000);
                dropped.add(d);
            }
        }
        if (!dropped.isEmpty()) {
            log.info("Dropped the view partitions of {} (retention {} days, horizon {})", dropped, retentionDays, horizon);
        }
        return new ArrayList<>(dropped);
    }

    private int serverVersion() {
        Integer v = jdbc.queryForObject("SELECT current_setting('server_version_num')::int", Integer.class);
        return v == null ? 0 : v;
    }
}
