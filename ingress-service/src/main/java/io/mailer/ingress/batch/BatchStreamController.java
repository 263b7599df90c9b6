package io.mailer.ingress.batch;

import io.mailer.ingress.auth.ApiPrincipal;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Duration;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/batches/{id}/stream}: the batch view of {@code GET /batches/{id}} as
 * Server-Sent Events, so the console shows progress without polling. Same scope, tenant scoping and
 * 404 as that endpoint (checked before the stream starts, so errors are still problem+json). The
 * view is re-read every {@link #TICK} and sent when it changed; the stream ends when the batch is
 * settled ({@link Tick#settled}), or after {@link #MAX_AGE} (the client reconnects), whichever comes first.
 */
@RestController
class BatchStreamController {

    static final Duration TICK = Duration.ofSeconds(1);
    /** Bounds a connection's life, so proxies and replicas are not held forever by one tab. */
    static final Duration MAX_AGE = Duration.ofMinutes(10);
    /** A comment this often keeps idle proxies from closing a stream whose batch is not moving. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    static final Set<String> FINAL = Set.of("COMPLETED", "CANCELLED");
    /** Reads without a change after which a final batch's stream ends although outcomes are missing. */
    static final int QUIET_TICKS = 30;

    private final BatchQueries queries;

    BatchStreamController(BatchQueries queries) {
        this.queries = queries;
    }

    @Operation(summary = "Live progress of one batch (text/event-stream)", description = "Events named 'batch' carry the "
            + "GET /batches/{id} view, sent when it changes (checked every second). The stream ends once the batch is final "
            + "(COMPLETED, CANCELLED) and every sent recipient has its outcome (delivered or bounced) or nothing changed for "
            + "30 s, or after 10 minutes (reconnect). A comment every 15 s keeps it open.")
    @GetMapping(path = "/api/v1/batches/{id}/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<BatchView>> stream(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.READ);
        if (!BatchIds.looksValid(id)) {
            return Flux.error(BatchController.notFound(id));
        }
        String tenant = principal.tenantId();
        return queries.find(tenant, id)
                .switchIfEmpty(Mono.error(() -> BatchController.notFound(id)))
                .flatMapMany(first -> views(first, Flux.interval(TICK).concatMap(t -> queries.find(tenant, id))))
                .map(view -> ServerSentEvent.builder(view).event("batch").id(view.id()).build())
                // keep-alives only while the views flow: the stream ends with them
                .publish(events -> Flux.merge(events, Flux.interval(KEEP_ALIVE)
                        .map(t -> ServerSentEvent.<BatchView>builder().comment("keep-alive").build())
                        .takeUntilOther(events.then())))
                .take(MAX_AGE);
    }

    /**
     * The first view, then each later one that differs from the one before, until the batch is
     * {@link Tick#settled settled}. A read error (PostgreSQL unreachable) ends the stream: the client
     * falls back to polling, which reports the 503.
     */
    static Flux<BatchView> views(BatchView first, Flux<BatchView> later) {
        return Flux.concat(Mono.just(first), later.onErrorResume(e -> Flux.empty()))
                .scan(Tick.START, Tick::next)
                .skip(1)
                .takeUntil(Tick::settled)
                .filter(Tick::changed)
                .map(Tick::view);
    }

    /**
     * One read of the view: whether it changed, and how many reads in a row it has not. A batch is
     * COMPLETED once nothing is queued, but SES outcomes (delivered, bounced) follow for a while:
     * the stream goes on until every sent recipient has one, or nothing changed for {@link #QUIET_TICKS}
     * reads (outcomes that never come, a complaint days later).
     */
    record Tick(BatchView view, boolean changed, int unchanged) {

        static final Tick START = new Tick(null, false, 0);

        Tick next(BatchView read) {
            boolean differs = !read.equals(view);
            return new Tick(read, differs, differs ? 0 : unchanged + 1);
        }

        boolean settled() {
            if (!FINAL.contains(view.status())) {
                return false;
            }
            BatchView.Counts c = view.counts();
            // queued too: a cancelled batch is final before its unsent recipients are all marked
            // CANCELLED, and a stream ended then left the page showing them queued
            return c.queued() == 0 && c.delivered() + c.bounced() >= c.sent() || unchanged >= QUIET_TICKS;
        }
    }
}
