package dev.lakehouse.journald;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.distillation.CanonicalJson;
import dev.lakehouse.common.AppendOnly;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Readiness;
import dev.lakehouse.common.GroupCommitter;
import dev.lakehouse.common.JsonLines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The audit journal: an append-only, SHA-256 hash-chained sequence of entries in
 * segment files {@code <dir>/<first seq, 20 digits>.jsonl}, one canonical JSON
 * object per line. Entry {@code n} stores {@code prev_hash} = the hash of entry
 * {@code n-1} (64 zeros for the first) and {@code hash} = SHA-256 of its own
 * canonical encoding without {@code hash} ({@link CanonicalJson}).
 *
 * <p>Appends go through a {@link GroupCommitter}: the writer thread alone owns
 * {@code seq}, {@code head} and the current segment, assigns consecutive
 * numbers, writes, fsyncs once per group, and only then acknowledges. A failed
 * group is cut back off the segment, so the chain on disk is always what was
 * acknowledged. A segment rolls when it reaches the size limit; start-up cuts
 * a torn last line and resumes the chain from the last entry.
 */
public final class Journal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    public static final String GENESIS = "0".repeat(64);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    /** The answer to an append. */
    public record Appended(long seq, String hash, String ts) {
    }

    /** The answer of a full verification. */
    public record Verification(boolean ok, long entries, String head, Long firstBadSeq, String reason) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final Counter appended;
    private final GroupCommitter<EntryRequest, Appended> committer;
    private volatile boolean loaded;
    private volatile long seq;          // last written; writer thread writes, others read
    private volatile String head = GENESIS;
    private FileChannel segment;        // writer thread only (after load)
    private Path segmentPath;

    public Journal(Path dir, long segmentBytes, MeterRegistry registry) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.appended = Counter.builder("journald.entries.appended").register(registry);
        Gauge.builder("journald.head.seq", this, j -> j.seq).description("sequence number of the last entry").register(registry);
        this.committer = new GroupCommitter<>("journald", 1024, 256, this::write);
    }

    /** Cuts a torn tail of the last segment and resumes the chain from its last entry. */
    public void load() {
        try {
            Files.createDirectories(dir);
            List<Path> segments = segments();
            for (int i = segments.size() - 1; i >= 0; i--) {
                Path s = segments.get(i);
                JsonLines.repairTail(s);
                JsonNode last = lastEntry(s);
                if (last != null) {
                    seq = last.path("seq").asLong();
                    head = last.path("hash").asText();
                    break;
                }
            }
            segmentPath = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            if (segmentPath != null) {
                segment = FileChannel.open(segmentPath, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            loaded = true;
            LOG.info("journal at seq " + seq + ", head " + head + " (" + segments.size() + " segments in " + dir.getFileName() + "/)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the journal from " + dir, e);
        }
    }

    public Readiness readiness() {
        return loaded ? Readiness.up() : Readiness.down("loading journal");
    }

    public long seq() {
        return seq;
    }

    public String head() {
        return head;
    }

    public Appended append(EntryRequest entry) {
        requireLoaded();
        return committer.submit(entry, WRITE_TIMEOUT);
    }

    private void requireLoaded() {
        if (!loaded) {
            throw new ApiException.Unavailable("loading", "journald is still loading the journal");
        }
    }

    /** Runs on the writer thread only. */
    private List<Appended> write(List<EntryRequest> entries) throws IOException {
        if (segment == null || segment.size() >= segmentBytes) {
            roll(seq + 1);
        }
        long nextSeq = seq;
        String prev = head;
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        List<Appended> results = new ArrayList<>(entries.size());
        String ts = Instant.now().toString();
        for (EntryRequest e : entries) {
            nextSeq++;
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("seq", nextSeq);
            node.put("ts", ts);
            node.put("type", e.type());
            node.put("actor", e.actor());
            if (e.subject() != null) {
                node.put("subject", e.subject());
            }
            node.set("data", e.data());
            if (e.requestId() != null) {
                node.put("request_id", e.requestId());
            }
            node.put("prev_hash", prev);
            String hash = CanonicalJson.hash(node);
            node.put("hash", hash);
            lines.write(CanonicalJson.bytes(node));
            lines.write('\n');
            results.add(new Appended(nextSeq, hash, ts));
            prev = hash;
        }
        AppendOnly.appendAndSync(segment, lines.toByteArray());
        seq = nextSeq;
        head = prev;
        appended.increment(entries.size());
        return results;
    }

    private void roll(long firstSeq) throws IOException {
        if (segment != null) {
            segment.force(true);
            segment.close();
        }
        segmentPath = dir.resolve(String.format("%020d.jsonl", firstSeq));
        segment = FileChannel.open(segmentPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        LOG.info("journal segment " + segmentPath.getFileName() + " started");
    }

    /** A filtered read from {@code fromSeq}: at most {@code limit} entries, and the seq to continue from. */
    public record Page(List<JsonNode> entries, long nextFromSeq) {
    }

    public Page read(long fromSeq, String type, String actor, String requestId, int limit) {
        requireLoaded();
        List<JsonNode> out = new ArrayList<>();
        long[] next = {Math.max(fromSeq, 1)};
        try {
            List<Path> segments = segments();
            for (int i = 0; i < segments.size(); i++) {
                if (i + 1 < segments.size() && firstSeq(segments.get(i + 1)) <= fromSeq) {
                    continue;   // the whole segment is before fromSeq
                }
                boolean[] full = {false};
                JsonLines.read(segments.get(i), 0, (line, offset) -> {
                    JsonNode e = Json.mapper().readTree(line);
                    long s = e.path("seq").asLong();
                    if (s < fromSeq) {
                        return true;
                    }
                    if (out.size() == limit) {
                        full[0] = true;
                        return false;
                    }
                    next[0] = s + 1;
                    if (matches(e, "type", type) && matches(e, "actor", actor) && matches(e, "request_id", requestId)) {
                        out.add(e);
                    }
                    return true;
                });
                if (full[0]) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Page(out, next[0]);
    }

    private static boolean matches(JsonNode e, String field, String wanted) {
        return wanted == null || wanted.equals(e.path(field).asText(null));
    }

    /** Recomputes the whole chain; names the first entry whose hash, link or number does not match. */
    public Verification verify() {
        requireLoaded();
        long[] expected = {1};
        String[] prev = {GENESIS};
        Verification[] bad = {null};
        try {
            for (Path s : segments()) {
                JsonLines.read(s, 0, (line, offset) -> {
                    long seqHere = expected[0];
                    String problem = check(line, seqHere, prev[0]);
                    if (problem != null) {
                        bad[0] = new Verification(false, seqHere - 1, prev[0], seqHere, problem);
                        return false;
                    }
                    prev[0] = Json.mapper().readTree(line).path("hash").asText();
                    expected[0]++;
                    return true;
                });
                if (bad[0] != null) {
                    return bad[0];
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Verification(true, expected[0] - 1, prev[0], null, null);
    }

    private static String check(byte[] line, long seq, String prevHash) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(line);
        } catch (IOException e) {
            return "entry is not valid JSON";
        }
        if (!(node instanceof ObjectNode entry)) {
            return "entry is not a JSON object";
        }
        if (entry.path("seq").asLong(-1) != seq) {
            return "expected seq " + seq + ", found " + entry.path("seq");
        }
        if (!prevHash.equals(entry.path("prev_hash").asText())) {
            return "prev_hash does not match the hash of entry " + (seq - 1);
        }
        if (!Objects.equals(CanonicalJson.hash(entry), entry.path("hash").asText())) {
            return "hash does not match the entry's content";
        }
        return null;
    }

    private JsonNode lastEntry(Path segment) throws IOException {
        JsonNode[] last = {null};
        JsonLines.read(segment, 0, (line, offset) -> {
            try {
                last[0] = Json.mapper().readTree(line);
            } catch (IOException e) {
                LOG.warning(segment + " offset " + offset + ": unreadable entry (verify will name it)");
            }
            return true;
        });
        return last[0];
    }

    private List<Path> segments() throws IOException {
        return JsonLines.list(dir, "\\d{20}\\.jsonl");
    }

    private static long firstSeq(Path segment) {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    @Override
    public void close() {
        committer.close();
        if (segment != null) {
            try {
                segment.force(true);
                segment.close();
            } catch (IOException e) {
                LOG.warning("closing the journal segment failed: " + e.getMessage());
            }
        }
    }
}
