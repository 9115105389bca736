package dev.lakehouse.validatord.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Backoff;
import dev.lakehouse.common.PeerClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * validatord's view of pathwayd's {@code POST /v1/memory}, for one thing: recording a
 * playbook when {@code /v1/iterate} ends with a valid fill. Fire-and-forget, like the
 * observer: {@link #record} puts the playbook on a bounded queue and returns at once,
 * never throws and never waits; one sender thread posts, retrying while pathwayd is
 * down or busy (up to {@value #ATTEMPTS} attempts, 0.5 s doubling to 30 s between
 * them). A playbook's id comes from its iteration, so a retry whose first answer was
 * lost gets 409 {@code memory_exists} and counts as recorded.
 *
 * <p>Counters on /metrics: {@code validatord_playbooks_total{outcome=queued|recorded|dropped|rejected|failed}}:
 * {@code dropped} when the queue is full, {@code rejected} when pathwayd refused the playbook
 * as invalid (4xx), {@code failed} when every attempt failed. Queued playbooks are held in
 * memory only: a validatord killed with some waiting loses them (the observer's
 * {@code iterate.attempt} events, which are durable, still hold every valid fill).
 */
public final class PathwaydClient implements AutoCloseable {
    static final int ATTEMPTS = 8;
    private static final Logger LOG = Logger.getLogger(PathwaydClient.class.getName());

    /** {@code {"order":{…},"workers":["W000010"],"outcome":"filled"}}. */
    public record Playbook(JsonNode order, List<String> workers, String outcome) {
    }

    /** {@code POST /v1/memory} for a playbook: {@code {"id","kind":"playbook","text","role","playbook","metadata"}}. */
    public record PlaybookMemory(String id, String kind, String text, String role, Playbook playbook, JsonNode metadata) {
        public PlaybookMemory(String id, String text, String role, Playbook playbook, JsonNode metadata) {
            this(id, "playbook", text, role, playbook, metadata);
        }
    }

    private final PeerClient pathwayd;
    private final BlockingQueue<PlaybookMemory> queue;
    private final Thread sender;
    private final Counter queued;
    private final Counter recorded;
    private final Counter dropped;
    private final Counter rejected;
    private final Counter failed;
    private volatile boolean closing;

    public PathwaydClient(PeerClient pathwayd, int capacity, MeterRegistry registry) {
        this.pathwayd = pathwayd;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.queued = outcome(registry, "queued");
        this.recorded = outcome(registry, "recorded");
        this.dropped = outcome(registry, "dropped");
        this.rejected = outcome(registry, "rejected");
        this.failed = outcome(registry, "failed");
        this.sender = Thread.ofPlatform().name("validatord-playbooks").daemon(true).start(this::run);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("validatord.playbooks").tag("outcome", outcome)
                .description("playbooks for pathwayd: queued, recorded, dropped (queue full), rejected (4xx), failed (gave up)")
                .register(registry);
    }

    /** Queues a playbook for pathwayd; returns at once. */
    public void record(PlaybookMemory playbook) {
        if (closing || !queue.offer(playbook)) {
            dropped.increment();
            return;
        }
        queued.increment();
    }

    private void run() {
        while (!closing || !queue.isEmpty()) {
            PlaybookMemory p;
            try {
                p = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (p != null && !send(p)) {
                return;   // interrupted while waiting to retry: stopping
            }
        }
    }

    /** Posts one playbook until it is recorded, refused or out of attempts; false when interrupted. */
    private boolean send(PlaybookMemory p) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                pathwayd.post("/v1/memory", p, JsonNode.class, false);
                recorded.increment();
                return true;
            } catch (ApiException.Conflict e) {
                recorded.increment();   // memory_exists: an earlier attempt got through
                return true;
            } catch (ApiException.BadRequest | ApiException.NotFound e) {
                rejected.increment();
                LOG.warning("pathwayd refused playbook " + p.id() + ": " + e.detail());
                return true;
            } catch (ApiException e) {
                if (attempt == ATTEMPTS) {
                    failed.increment();
                    LOG.warning("playbook " + p.id() + " not recorded after " + ATTEMPTS + " attempts: " + e.detail());
                    return true;
                }
                Duration pause = Backoff.jittered(Duration.ofMillis(500), attempt);
                try {
                    Thread.sleep(pause.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : pause);
                } catch (InterruptedException stop) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Gives queued playbooks up to 2 s to go out, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            sender.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.interrupt();
    }
}
