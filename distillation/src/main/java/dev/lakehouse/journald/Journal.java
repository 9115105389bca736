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
 * canonical encoding without {@code hash} ({@link CanonicalJson}). An entry written
 * since erasure exists also stores {@code data_hash} (and {@code subject_hash}), and
 * its {@code hash} covers those in place of {@code data} and {@code subject}: the
 * payload, which may name a person, can then be erased ({@link #erase}) — replaced by
 * an {@code erased} marker — while the chain still verifies, and {@link #verify}
 * counts the entry as erased, not tampered.
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

    /**
     * The answer of a full verification: {@code erased} entries whose payload was erased (their hash still checked);
     * {@code erased_unverifiable} entries written before payload hashes existed, erased since, whose own hash can no longer
     * be recomputed (their place in the chain is still checked).
     */
    public record Verification(boolean ok, long entries, String head, Long firstBadSeq, String reason, long erased,
                               long erasedUnverifiable) {
    }

    /** The answer of an erasure. */
    public record Erased(String erasureId, long entriesErased, int segmentsRewritten, long bytesRewritten, long journalSeq,
                         double tookMs) {
    }

    /** What the writer thread does: append an entry, or erase a subject's payloads. */
    private sealed interface Op permits Append, Erase {
    }

    private record Append(EntryRequest entry) implements Op {
    }

    private record Erase(dev.lakehouse.common.SubjectIdentifiers subject, String erasureId) implements Op {
    }

    private final Path dir;
    private final long segmentBytes;
    private final Counter appended;
    private final GroupCommitter<Op, Object> committer;
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
        this.committer = new GroupCommitter<Op, Object>("journald", 1024, 256, this::write);
    }

    /** Cuts a torn tail of the last segment and resumes the chain from its last entry. */
    public void load() {
        try {
            Files.createDirectories(dir);
            for (Path tmp : JsonLines.list(dir, "\\d{20}\\.jsonl\\.tmp")) {   // an erasure's rewrite killed before its rename
                Files.deleteIfExists(tmp);
            }
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
        return (Appended) committer.submit(new Append(entry), WRITE_TIMEOUT);
    }

    /**
     * Erases the payload ({@code data}, {@code subject}) of every entry that names the subject, segment by segment
     * (each rewritten atomically), then journals the erasure itself ({@code privacy.erasure}, with the subject's
     * fingerprint, never an identifier). Idempotent: a second run finds nothing. Appends wait meanwhile.
     */
    public Erased erase(dev.lakehouse.common.SubjectIdentifiers subject, String erasureId) {
        requireLoaded();
        return (Erased) committer.submit(new Erase(subject, erasureId), ERASE_TIMEOUT);
    }

    private static final Duration ERASE_TIMEOUT = Duration.ofMinutes(10);

    private void requireLoaded() {
        if (!loaded) {
            throw new ApiException.Unavailable("loading", "journald is still loading the journal");
        }
    }

    /** Runs on the writer thread only: consecutive appends are written as one group, an erasure between them alone. */
    private List<Object> write(List<Op> ops) throws IOException {
        List<Object> out = new ArrayList<>(ops.size());
        List<EntryRequest> group = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Append a) {
                group.add(a.entry());
                continue;
            }
            if (!group.isEmpty()) {
                out.addAll(appendGroup(group));
                group = new ArrayList<>();
            }
            Erase e = (Erase) op;
            out.add(eraseNow(e.subject(), e.erasureId()));
        }
        if (!group.isEmpty()) {
            out.addAll(appendGroup(group));
        }
        return out;
    }

    /** Writer thread only. */
    private List<Appended> appendGroup(List<EntryRequest> entries) throws IOException {
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
            node.put("data_hash", CanonicalJson.sha256(CanonicalJson.bytes(e.data())));
            if (e.subject() != null) {
                node.put("subject_hash", CanonicalJson.sha256(CanonicalJson.bytes(JsonNodeFactory.instance.textNode(e.subject()))));
            }
            String hash = entryHash(node);
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

    /**
     * An entry's hash: over the entry without {@code hash}; for an entry with {@code data_hash}, also without its payload
     * ({@code data}, {@code subject}) and without an {@code erased} marker — the payload hashes stand for them.
     */
    static String entryHash(ObjectNode entry) {
        if (!entry.has("data_hash")) {
            return CanonicalJson.hash(entry);
        }
        ObjectNode copy = entry.deepCopy();
        copy.remove(List.of("data", "subject", "erased"));
        return CanonicalJson.hash(copy);
    }

    /** Writer thread only: see {@link #erase}. */
    private Erased eraseNow(dev.lakehouse.common.SubjectIdentifiers subject, String erasureId) throws IOException {
        long t0 = System.nanoTime();
        String at = Instant.now().toString();
        long[] erased = {0};
        long bytes = 0;
        int rewritten = 0;
        for (Path s : segments()) {
            boolean[] any = {false};
            JsonLines.read(s, 0, (line, offset) -> {
                JsonNode e = Json.mapper().readTree(line);
                any[0] = !e.has("erased") && names(e, subject);
                return !any[0];
            });
            if (!any[0]) {
                continue;
            }
            boolean current = s.equals(segmentPath);
            if (current) {
                segment.force(true);
                segment.close();
            }
            try {
                dev.lakehouse.common.AtomicFile.write(s, out -> JsonLines.read(s, 0, (line, offset) -> {
                    ObjectNode e = (ObjectNode) Json.mapper().readTree(line);
                    if (!e.has("erased") && names(e, subject)) {
                        e.remove(List.of("data", "subject"));
                        e.putObject("erased").put("at", at).put("erasure_id", erasureId);
                        out.write(CanonicalJson.bytes(e));
                        erased[0]++;
                    } else {
                        out.write(line);
                    }
                    out.write('\n');
                    return true;
                }));
            } finally {
                if (current) {
                    segment = FileChannel.open(segmentPath, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                }
            }
            rewritten++;
            bytes += Files.size(s);
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("erasure_id", erasureId).put("subject_fingerprint",
                subject.fingerprint()).put("entries_erased", erased[0]).put("segments_rewritten", rewritten);
        Appended a = appendGroup(List.of(new EntryRequest("privacy.erasure", "journald", null, data, null))).get(0);
        LOG.info("erasure " + erasureId + ": " + erased[0] + " entries erased in " + rewritten + " segment(s)");
        return new Erased(erasureId, erased[0], rewritten, bytes, a.seq(), Math.round((System.nanoTime() - t0) / 1e4) / 100.0);
    }

    /** Whether an entry's payload (its subject, and every name and value of its data) names the subject. */
    private static boolean names(JsonNode entry, dev.lakehouse.common.SubjectIdentifiers subject) {
        return subject.matches(entry.path("subject").asText(null)) || namesIn(entry.get("data"), subject);
    }

    private static boolean namesIn(JsonNode n, dev.lakehouse.common.SubjectIdentifiers subject) {
        if (n == null || n.isNull()) {
            return false;
        }
        if (n.isValueNode()) {
            return subject.matches(n.asText());
        }
        for (var it = n.fields(); it.hasNext(); ) {
            var f = it.next();
            if (subject.matches(f.getKey()) || namesIn(f.getValue(), subject)) {
                return true;
            }
        }
        if (n.isArray()) {
            for (JsonNode c : n) {
                if (namesIn(c, subject)) {
                    return true;
                }
            }
        }
        return false;
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
        long[] erased = {0, 0};   // verified, unverifiable
        Verification[] bad = {null};
        try {
            for (Path s : segments()) {
                JsonLines.read(s, 0, (line, offset) -> {
                    long seqHere = expected[0];
                    String problem = check(line, seqHere, prev[0], erased);
                    if (problem != null) {
                        bad[0] = new Verification(false, seqHere - 1, prev[0], seqHere, problem, erased[0], erased[1]);
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
        return new Verification(true, expected[0] - 1, prev[0], null, null, erased[0], erased[1]);
    }

    private static String check(byte[] line, long seq, String prevHash, long[] erased) {
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
        boolean wasErased = entry.path("erased").isObject();
        if (!entry.has("data_hash")) {   // written before payload hashes: its content is its hash's only witness
            if (wasErased) {
                erased[1]++;
                return null;
            }
            return Objects.equals(CanonicalJson.hash(entry), entry.path("hash").asText()) ? null
                    : "hash does not match the entry's content";
        }
        if (!Objects.equals(entryHash(entry), entry.path("hash").asText())) {
            return "hash does not match the entry's content";
        }
        if (wasErased) {
            if (entry.has("data") || entry.has("subject")) {
                return "an erased entry still holds a payload";
            }
            erased[0]++;
            return null;
        }
        if (!entry.has("data") || !CanonicalJson.sha256(CanonicalJson.bytes(entry.get("data"))).equals(entry.path("data_hash").asText())) {
            return "data does not match the entry's data_hash";
        }
        if (entry.has("subject") != entry.has("subject_hash") || entry.has("subject") && !CanonicalJson.sha256(
                CanonicalJson.bytes(entry.get("subject"))).equals(entry.path("subject_hash").asText())) {
            return "subject does not match the entry's subject_hash";
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
