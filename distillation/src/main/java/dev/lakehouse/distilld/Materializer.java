package dev.lakehouse.distilld;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLines;
import dev.lakehouse.observerd.ObserveEvent;
import dev.lakehouse.distillation.CanonicalJson;
import org.eclipse.collections.impl.set.mutable.primitive.LongHashSet;

/**
 * Stage 1: observerd's day files → evidence and quarantine (docs/distilld.md, "materialize").
 *
 * <p>Streams every complete line of the files, from each file's watermark offset, in file
 * order: memory holds one line, the retrievals waiting for the chat call that used them (by
 * {@code request_id}, at most {@value #OPEN} — the oldest is written without an answer), the
 * iterate runs still open (at most {@value #OPEN}; a run closes at its first valid attempt or
 * at the end of the input), the chat calls with a request id not yet known to be an iterate run's (at most
 * {@value #OPEN_CHATS} request ids) — the three together at most {@link #HELD_BYTES} bytes of lines, the eldest entry
 * of any let go first past it — and the 64-bit prefixes of the content hashes this run made (for dedup; what
 * earlier runs made is asked of a {@link DedupHistory} on disk, so memory does not grow with history).
 * Every line ends in exactly one place: an evidence record, the quarantine (with a reason), or
 * the duplicates count, or (observed before {@code since}) the skipped count —
 * {@code lines = before since + events in evidence + quarantined + duplicate events}.
 * The output is a function of the input bytes alone: no clock, no randomness, no map order.
 */
final class Materializer {
    static final int MAX_LINE = 1 << 20;
    /** The "file" of lines released from quarantine; in the watermark, how many of them were read. */
    static final String RELEASED = "released";
    static final int OPEN = 10_000;
    /**
     * Request ids of chat calls held back: validatord observes an attempt right after chatd's call, so its call is
     * seldom more than a few observer batches earlier.
     */
    static final int OPEN_CHATS = 2_000;
    /**
     * The bytes of the lines the three windows hold together (chat calls, retrievals, open iterate runs): past it the
     * oldest entry of any of them is let go as the count bounds let it go — a held chat call as a chat, a retrieval as
     * unanswered, a run closed as it is. The counts alone allowed 2,000 held chat calls, 10,000 retrievals and 10,000
     * runs of lines up to 1 MiB each, more than any heap distilld runs in; trees take several times their lines' bytes.
     */
    static final long HELD_BYTES = 4L << 20;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Where stage 1 writes. */
    public interface Sink {
        void evidence(Evidence e) throws IOException;

        /** The same, with the record's content already in canonical bytes (what its hash was computed over). */
        default void evidence(Evidence e, byte[] canonicalContent) throws IOException {
            evidence(e);
        }

        void quarantine(Quarantined q) throws IOException;
    }

    /** The request ids distilld's replay calls chatd and validatord under: what they observe is a replay's, not the platform's work. */
    public static final String REPLAY_PREFIX = "replay-";
    /**
     * The request ids validatord's iterate loop calls chatd under ({@code iterate-<iteration id>}): such a chat call is an
     * attempt's, whose prompt and output the attempt's own observation carries, never a chat answer of its own — known
     * from the call itself, whatever order the two daemons' observations arrive in, in one run or across two.
     */
    public static final String ITERATE_CALL_PREFIX = "iterate-";

    /**
     * What a run read and made; {@code watermark} is each file's offset after its last complete line, {@code replayEvents}
     * the observations a replay made (skipped: {@link #REPLAY_PREFIX}), {@code shadowEvents} those of a gateway's cutover
     * shadow copies (skipped: never training data, docs/cutover.md).
     */
    public record Result(long lines, long beforeSince, long eventsInEvidence, long quarantined, long duplicateEvents, long replayEvents,
                         long shadowEvents, long iterateCalls, long evidence, Map<String, Long> byType, Map<String, Long> byReason,
                         Map<String, Long> watermark, long pendingInEvents, List<List<ObserveEvent>> pendingOut,
                         long duplicatesOfEarlierRuns, RunDedup made, long[] historyDuplicates) {
        /** Every line, and every event held over from the run before, ended in exactly one place. */
        public boolean conserved() {
            return lines + pendingInEvents == beforeSince + eventsInEvidence + quarantined + duplicateEvents + replayEvents + shadowEvents
                    + iterateCalls + pendingOutEvents();
        }

        /** Events of iterate runs held open for the next run. */
        public long pendingOutEvents() {
            return pendingOut.stream().mapToLong(List::size).sum();
        }
    }

    /**
     * How long an iterate run whose last observed attempt says more may come ({@code "last": false}) is held open across
     * the end of a run's input, measured from that attempt to the newest event of the input: past it, the run is closed
     * as it is (validatord stopped in the middle of it, say).
     */
    public static final java.time.Duration PENDING_WINDOW = java.time.Duration.ofMinutes(10);

    private final Sink sink;
    private final java.time.Instant since;
    private long beforeSince;
    /** The 64-bit prefixes this run made, in bounded memory (spilled beside the run past {@link RunDedup#DEFAULT_LIMIT}). */
    private RunDedup seen = new RunDedup(null);
    /** What earlier runs made (none: every record is new unless this run made it already). */
    private java.util.function.LongPredicate history = h -> false;
    private final LongHashSet historyDuplicates = new LongHashSet();
    private long duplicatesOfEarlierRuns;
    private final LinkedHashMap<String, Held> retrievals = new LinkedHashMap<>();
    private final LinkedHashMap<String, Held> iterations = new LinkedHashMap<>();
    /** Chat calls held by request id until it is known whether an iterate run made them (then they are its provenance). */
    private final LinkedHashMap<String, Held> chats = new LinkedHashMap<>();
    /** Lines parsed a batch at a time (with a pool, {@link #parseOn}), at most this many or {@link #AHEAD_BYTES} of them. */
    static final int AHEAD_LINES = 512;
    static final int AHEAD_BYTES = 4 << 20;
    private java.util.concurrent.ExecutorService parsers;
    private int parserThreads;
    /** The bytes of the lines the windows hold, at most {@code heldLimit} after each line. */
    private long heldBytes;
    private long heldLimit = HELD_BYTES;
    /** The bytes of the line being read. */
    private int lineBytes;

    /** Events held in a window under one key, the bytes of their lines, and the line that opened it (the eldest goes first). */
    private static final class Held extends ArrayList<ObserveEvent> {
        final long line;
        long bytes;

        Held(long line) {
            this.line = line;
        }
    }
    /** The chat calls each open iterate run made. */
    private final Map<String, List<ObserveEvent>> runChats = new java.util.HashMap<>();
    private final Map<String, Long> byType = new TreeMap<>();
    private final Map<String, Long> byReason = new TreeMap<>();
    private long lines;
    private long inEvidence;
    private long quarantined;
    private long duplicates;
    private long replayEvents;
    private long shadowEvents;
    private long iterateCalls;
    private long pendingInEvents;
    private java.time.Instant newest;
    private long evidence;

    /** @param since events observed before it are counted and skipped (null: none) */
    public Materializer(Sink sink, java.time.Instant since) {
        this.sink = sink;
        this.since = since;
    }

    /** Records whose hash prefix {@code earlier} holds are duplicates of earlier runs' (counted apart, never evidence). */
    Materializer history(java.util.function.LongPredicate earlier) {
        this.history = earlier;
        return this;
    }

    /** Parses lines on {@code pool}'s {@code threads} threads a batch ahead of applying them (null: on the run's thread). */
    Materializer parseOn(java.util.concurrent.ExecutorService pool, int threads) {
        this.parsers = pool;
        this.parserThreads = threads;
        return this;
    }

    /**
     * One file's lines on their way to {@link #apply}, in order: with a pool, each batch is parsed there (in slices, one a
     * thread) while the batch before is applied here; without one, each line is parsed and applied as it is read.
     */
    private final class Ahead {
        private final String file;
        private final java.util.function.LongConsumer progress;
        private long end;
        private List<byte[]> lines = new ArrayList<>();
        private List<Long> offsets = new ArrayList<>();
        private long bytes;
        private Batch parsing;

        private record Batch(List<byte[]> lines, List<Long> offsets, List<java.util.concurrent.Future<Parsed[]>> slices) {
        }

        Ahead(String file, long start, java.util.function.LongConsumer progress) {
            this.file = file;
            this.end = start;
            this.progress = progress;
        }

        void add(long offset, byte[] line) throws IOException {
            if (parsers == null) {
                applied(offset, line, parse(line));
                return;
            }
            lines.add(line);
            offsets.add(offset);
            bytes += line.length;
            if (lines.size() >= AHEAD_LINES || bytes >= AHEAD_BYTES) {
                Batch next = submit();
                applyParsing();
                parsing = next;
            }
        }

        /** Applies what is in hand: the batch being parsed, then the lines not yet sent. */
        void drain() throws IOException {
            if (parsers == null) {
                return;
            }
            Batch next = lines.isEmpty() ? null : submit();
            applyParsing();
            parsing = next;
            applyParsing();
        }

        private Batch submit() {
            List<byte[]> batch = lines;
            int slice = (batch.size() + parserThreads - 1) / parserThreads;
            List<java.util.concurrent.Future<Parsed[]>> slices = new ArrayList<>();
            for (int from = 0; from < batch.size(); from += slice) {
                int a = from;
                int b = Math.min(batch.size(), from + slice);
                slices.add(parsers.submit(() -> {
                    Parsed[] out = new Parsed[b - a];
                    for (int i = a; i < b; i++) {
                        out[i - a] = parse(batch.get(i));
                    }
                    return out;
                }));
            }
            Batch out = new Batch(batch, offsets, slices);
            lines = new ArrayList<>();
            offsets = new ArrayList<>();
            bytes = 0;
            return out;
        }

        private void applyParsing() throws IOException {
            if (parsing == null) {
                return;
            }
            int i = 0;
            for (java.util.concurrent.Future<Parsed[]> f : parsing.slices()) {
                for (Parsed p : done(f)) {
                    applied(parsing.offsets().get(i), parsing.lines().get(i), p);
                    i++;
                }
            }
            parsing = null;
        }

        private void applied(long offset, byte[] line, Parsed p) throws IOException {
            apply(file, offset, line.length, p);
            end = offset + line.length + 1;
            progress.accept(line.length + 1L);
        }
    }

    private static Parsed[] done(java.util.concurrent.Future<Parsed[]> f) throws IOException {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IOException("parsing a line failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while parsing");
        }
    }

    /** Holds at most {@code limit} bytes of lines in the windows (tests: a small limit). */
    Materializer heldBytes(long limit) {
        this.heldLimit = limit;
        return this;
    }

    /** Spills the run's dedup set into {@code dir} (removed when the result's {@code made} is closed) past {@code limit} prefixes. */
    Materializer dedupIn(Path dir, int limit) {
        this.seen = new RunDedup(dir, limit);
        return this;
    }

    /** Reads {@code files} (day files, in order) from the offsets in {@code from}; {@code progress} hears bytes read. */
    public Result run(List<Path> files, Map<String, Long> from, java.util.function.LongConsumer progress) throws IOException {
        return run(files, from, null, List.of(), 0, progress);
    }

    /**
     * The same, then {@code released}: lines released from quarantine by review, numbered from {@code releasedFrom}
     * (their place in the review log; the watermark's {@code released} afterwards). With {@code until} (the audit's
     * dry-run: a run's input again), each file is read only up to its offset there, and a file not in it not at all.
     */
    public Result run(List<Path> files, Map<String, Long> from, Map<String, Long> until, List<byte[]> released, long releasedFrom,
                      java.util.function.LongConsumer progress) throws IOException {
        return run(files, from, until, released, releasedFrom, List.of(), progress);
    }

    /**
     * The same, first taking back the iterate runs the run before held open ({@code pendingIn}, each run's attempts in
     * order); the result's {@code pendingOut} is what this run holds open for the next ({@link #PENDING_WINDOW}).
     */
    public Result run(List<Path> files, Map<String, Long> from, Map<String, Long> until, List<byte[]> released, long releasedFrom,
                      List<List<ObserveEvent>> pendingIn, java.util.function.LongConsumer progress) throws IOException {
        try {
            return materialize(files, from, until, released, releasedFrom, pendingIn, progress);
        } catch (IOException | RuntimeException e) {
            try {
                seen.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private Result materialize(List<Path> files, Map<String, Long> from, Map<String, Long> until, List<byte[]> released, long releasedFrom,
                               List<List<ObserveEvent>> pendingIn, java.util.function.LongConsumer progress) throws IOException {
        for (List<ObserveEvent> held : pendingIn) {
            Held run = new Held(0);
            held.forEach(e -> {
                run.add(e);
                run.bytes += Json.bytes(e).length;
            });
            heldBytes += run.bytes;
            iterations.put(held.get(0).payload().path("iteration_id").asText(), run);
            pendingInEvents += held.size();
            held.forEach(e -> newest = newest == null || e.instant().isAfter(newest) ? e.instant() : newest);
        }
        Map<String, Long> watermark = new TreeMap<>(from);
        for (Path file : files) {
            String name = file.getFileName().toString();
            long start = from.getOrDefault(name, 0L);
            long stop = until == null ? Long.MAX_VALUE : until.getOrDefault(name, start);
            Ahead ahead = new Ahead(name, start, progress);
            JsonLines.read(file, start, (line, offset) -> {
                if (offset >= stop) {
                    return false;
                }
                ahead.add(offset, line);
                return true;
            });
            ahead.drain();
            watermark.put(name, ahead.end);
        }
        for (int i = 0; i < released.size(); i++) {
            line(RELEASED, releasedFrom + i, released.get(i));
        }
        while (!retrievals.isEmpty()) {
            flushOldestRetrieval();
        }
        while (!chats.isEmpty()) {
            flushOldestChats();
        }
        List<List<ObserveEvent>> pendingOut = new ArrayList<>();
        for (List<ObserveEvent> run : List.copyOf(iterations.values())) {
            if (mayContinue(run)) {
                pendingOut.add(List.copyOf(run));
            } else {
                closeIteration(run);
            }
        }
        iterations.clear();
        return new Result(lines, beforeSince, inEvidence, quarantined, duplicates, replayEvents, shadowEvents, iterateCalls, evidence, Map.copyOf(byType),
                Map.copyOf(byReason), Map.copyOf(watermark), pendingInEvents, List.copyOf(pendingOut), duplicatesOfEarlierRuns,
                seen, historyDuplicates.toSortedArray());
    }

    /** An open run whose last attempt says another may follow, observed within the window of the input's newest event. */
    private boolean mayContinue(List<ObserveEvent> run) {
        ObserveEvent last = run.get(run.size() - 1);
        JsonNode more = last.payload().path("last");
        return more.isBoolean() && !more.asBoolean() && newest != null
                && !last.instant().plus(PENDING_WINDOW).isBefore(newest);
    }

    /** A line read, before any of the run's state is touched: its event and time, or the quarantine's reason and detail. */
    private record Parsed(String text, ObserveEvent event, java.time.Instant at, Quarantined.Reason reason, String detail, String eventId) {
        static Parsed bad(Quarantined.Reason reason, String detail, String eventId, String raw) {
            return new Parsed(raw, null, null, reason, detail, eventId);
        }
    }

    /** Reads a line into an event. A function of its bytes alone, so lines may be parsed on any thread, in any order. */
    static Parsed parse(byte[] bytes) {
        if (bytes.length > MAX_LINE) {
            return Parsed.bad(Quarantined.Reason.TOO_LARGE, bytes.length + " bytes; at most " + MAX_LINE, null,
                    new String(bytes, 0, 4096, StandardCharsets.UTF_8) + "…");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return Parsed.bad(Quarantined.Reason.BAD_UTF8, "not UTF-8: " + e.getMessage(), null, new String(bytes, StandardCharsets.UTF_8));
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(text);
        } catch (IOException e) {
            return Parsed.bad(Quarantined.Reason.BAD_JSON, e.getMessage().lines().findFirst().orElse(""), null, text);
        }
        if (node == null || !node.isObject()) {
            return Parsed.bad(Quarantined.Reason.BAD_JSON, "not a JSON object", null, text);
        }
        ((ObjectNode) node).remove("received_at");   // observerd's stored form: the event as posted, and when it arrived
        ObserveEvent e = ObserveEvent.fromTree((ObjectNode) node);   // the payload as parsed, not copied
        try {
            e = e != null ? e : Json.convert(node, ObserveEvent.class, "event");
        } catch (ApiException bad) {
            return Parsed.bad("missing_field".equals(bad.code()) ? Quarantined.Reason.MISSING_FIELD : Quarantined.Reason.SCHEMA_VIOLATION,
                    bad.detail(), node.path("event_id").asText(null), text);
        }
        return new Parsed(text, e, e.instant(), null, null, null);   // the time parsed once: the rest of the checks are on it
    }

    private void line(String file, long offset, byte[] bytes) throws IOException {
        apply(file, offset, bytes.length, parse(bytes));
    }

    /** A parsed line, in input order: where it ends. */
    private void apply(String file, long offset, int size, Parsed p) throws IOException {
        lines++;
        lineBytes = size;
        if (p.reason() != null) {
            quarantine(p.reason(), p.detail(), file, offset, p.eventId(), p.text());
            return;
        }
        ObserveEvent e = p.event();
        java.time.Instant at = p.at();
        String text = p.text();
        if (since != null && at.isBefore(since)) {
            beforeSince++;
            return;
        }
        if (newest == null || at.isAfter(newest)) {
            newest = at;
        }
        if (e.requestId() != null && e.requestId().startsWith(REPLAY_PREFIX)) {
            replayEvents++;   // a replay's own calls: recorded in its replay_runs.jsonl, never evidence
            return;
        }
        if (e.fromShadow()) {
            shadowEvents++;   // a cutover shadow copy's: the caller's request was observed where it was served
            return;
        }
        switch (e.kind()) {
            case "chat.call" -> chat(e);
            case "iterate.attempt" -> attempt(e, file, offset, text);
            case "validate" -> emit(Evidence.Type.VALIDATION, List.of(e), e.payload());
            case "retrieve" -> retrieve(e);
            case "truth.resolve" -> emit(Evidence.Type.TRUTH, List.of(e), e.payload());
            case "memory.playbook" -> emit(Evidence.Type.PLAYBOOK, List.of(e), e.payload());
            default -> quarantine(Quarantined.Reason.UNKNOWN_KIND, "no evidence is made of kind '" + e.kind() + "'", file, offset,
                    e.eventId(), text);
        }
    }

    /**
     * A chat call that used a waiting retrieval joins it. Any other with a request id waits: validatord's iterate
     * runs call chatd under their request id before observing the attempt, and such a call is the run's, not an
     * answer of its own (a failed attempt's output must never become a chat sample).
     */
    private void chat(ObserveEvent e) throws IOException {
        if (e.requestId() != null && e.requestId().startsWith(ITERATE_CALL_PREFIX)) {
            iterateCalls++;   // an iterate attempt's call: the attempt is the evidence
            return;
        }
        Held retrieval = e.requestId() == null ? null : retrievals.remove(e.requestId());
        if (retrieval != null) {
            release(retrieval);
            joined(retrieval, e);
            return;
        }
        if (e.requestId() == null) {
            emit(Evidence.Type.CHAT, List.of(e), e.payload());
            return;
        }
        hold(chats.computeIfAbsent(e.requestId(), k -> new Held(lines)), e);
        if (chats.size() > OPEN_CHATS) {
            flushOldestChats();
        }
        withinBytes();
    }

    /** A retrieval and the chat call that answered from it, whichever was read first. */
    private void joined(List<ObserveEvent> retrieval, ObserveEvent chat) throws IOException {
        List<ObserveEvent> events = new ArrayList<>(retrieval);
        events.add(chat);
        ObjectNode content = ((ObjectNode) retrieval.get(0).payload()).deepCopy();
        content.set("answer", chat.payload());
        emit(Evidence.Type.RETRIEVAL, events, content);
    }

    private void flushOldestChats() throws IOException {
        for (ObserveEvent c : release(oldest(chats))) {   // no iterate run claimed it: a chat call of its own
            emit(Evidence.Type.CHAT, List.of(c), c.payload());
        }
    }

    /** Takes the longest-held entry out of a waiting map. */
    private static Held oldest(LinkedHashMap<String, Held> held) {
        Iterator<Map.Entry<String, Held>> it = held.entrySet().iterator();
        Held events = it.next().getValue();
        it.remove();
        return events;
    }

    /** The longest-held entry of a waiting map, left in it; null when it is empty. */
    private static Held eldest(LinkedHashMap<String, Held> held) {
        return held.isEmpty() ? null : held.values().iterator().next();
    }

    /** Adds the line being read to a held entry. */
    private void hold(Held held, ObserveEvent e) {
        held.add(e);
        held.bytes += lineBytes;
        heldBytes += lineBytes;
    }

    /** An entry taken out of its window: its bytes are no longer held. */
    private Held release(Held held) {
        heldBytes -= held.bytes;
        held.bytes = 0;
        return held;
    }

    /**
     * Lets the eldest entry of any window go until the windows hold at most {@code heldLimit} bytes, each the way its own
     * count bound lets it go. A function of the input alone, like everything here.
     */
    private void withinBytes() throws IOException {
        while (heldBytes > heldLimit) {
            Held r = eldest(retrievals);
            Held c = eldest(chats);
            Held i = eldest(iterations);
            long first = Math.min(r == null ? Long.MAX_VALUE : r.line, Math.min(c == null ? Long.MAX_VALUE : c.line,
                    i == null ? Long.MAX_VALUE : i.line));
            if (r != null && r.line == first) {
                flushOldestRetrieval();
            } else if (c != null && c.line == first) {
                flushOldestChats();
            } else if (i != null) {
                closeIteration(release(oldest(iterations)));
            } else {
                throw new IllegalStateException("the windows are empty but count " + heldBytes + " bytes");
            }
        }
    }

    private void retrieve(ObserveEvent e) throws IOException {
        if (e.requestId() == null) {
            unanswered(e);
            return;
        }
        Held held = chats.get(e.requestId());
        if (held != null) {   // the chat call that used it arrived first (the daemons' observers send independently)
            ObserveEvent answer = held.remove(held.size() - 1);
            long share = held.bytes / (held.size() + 1);   // its line's bytes are not kept apart: a share of the entry's
            held.bytes -= share;
            heldBytes -= share;
            if (held.isEmpty()) {
                release(chats.remove(e.requestId()));
            }
            joined(List.of(e), answer);
            return;
        }
        hold(retrievals.computeIfAbsent(e.requestId(), k -> new Held(lines)), e);
        if (retrievals.size() > OPEN) {
            flushOldestRetrieval();
        }
        withinBytes();
    }

    private void flushOldestRetrieval() throws IOException {
        for (ObserveEvent r : release(oldest(retrievals))) {   // never used by a chat call
            unanswered(r);
        }
    }

    /** A retrieval no chat call answered from. */
    private void unanswered(ObserveEvent r) throws IOException {
        ObjectNode content = ((ObjectNode) r.payload()).deepCopy();
        content.putNull("answer");
        emit(Evidence.Type.RETRIEVAL, List.of(r), content);
    }

    private void attempt(ObserveEvent e, String file, long offset, String text) throws IOException {
        String run = e.payload().path("iteration_id").asText(null);
        int n = e.payload().path("n").asInt(0);
        if (run == null || n < 1) {
            quarantine(Quarantined.Reason.MISSING_FIELD, "an iterate attempt needs iteration_id and n >= 1", file, offset, e.eventId(),
                    text);
            return;
        }
        Held open = iterations.get(run);
        if (open == null && n != 1 || open != null && open.get(open.size() - 1).payload().path("n").asInt() != n - 1) {
            quarantine(Quarantined.Reason.ORPHAN_ATTEMPT, "attempt " + n + " of iteration " + run + " without attempt " + (n - 1)
                    + " before it in this run's input", file, offset, e.eventId(), text);
            return;
        }
        if (open == null) {
            open = new Held(lines);
            iterations.put(run, open);
            if (iterations.size() > OPEN) {
                closeIteration(release(oldest(iterations)));
            }
        }
        hold(open, e);
        Held made = e.requestId() == null ? null : chats.remove(e.requestId());
        if (made != null) {
            runChats.computeIfAbsent(run, k -> new ArrayList<>()).addAll(made);
            open.bytes += made.bytes;   // held on by the run now
            made.bytes = 0;
        }
        if (e.payload().path("valid").asBoolean(false) || e.payload().path("last").asBoolean(false)) {
            iterations.remove(run);   // valid, or validatord says no attempt follows
            closeIteration(release(open));
            return;
        }
        withinBytes();
    }

    /** An iterate run: what was asked, and every attempt with its output, violations and validity. */
    private void closeIteration(List<ObserveEvent> run) throws IOException {
        JsonNode first = run.get(0).payload();
        ObjectNode content = NODES.objectNode();
        content.put("iteration_id", first.path("iteration_id").asText());
        for (String f : List.of("kind", "instruction", "context", "provider", "model")) {
            if (first.has(f)) {
                content.set(f, first.get(f));
            }
        }
        ArrayNode attempts = content.putArray("attempts");
        for (ObserveEvent a : run) {
            ObjectNode at = attempts.addObject();
            for (String f : List.of("n", "prompt", "output", "violations", "valid")) {
                if (a.payload().has(f)) {
                    at.set(f, a.payload().get(f));
                }
            }
        }
        content.put("valid", run.get(run.size() - 1).payload().path("valid").asBoolean(false));
        List<ObserveEvent> events = new ArrayList<>(run);
        List<ObserveEvent> made = runChats.remove(first.path("iteration_id").asText());
        if (made != null) {
            events.addAll(made);   // provenance: the chat calls the run made
        }
        emit(Evidence.Type.ITERATE, events, content);
    }

    private void emit(Evidence.Type type, List<ObserveEvent> events, JsonNode content) throws IOException {
        byte[] canonical = CanonicalJson.bytes(content);   // once: the hash's input and the evidence line's content
        String hash = CanonicalJson.sha256(CanonicalJson.withFirst("content", canonical,
                CanonicalJson.bytes(NODES.objectNode().put("type", type.toString()))));
        long prefix = Long.parseUnsignedLong(hash.substring(0, 16), 16);
        if (seen.contains(prefix)) {
            duplicates += events.size();
            return;
        }
        if (history.test(prefix)) {   // an earlier run made it
            duplicates += events.size();
            duplicatesOfEarlierRuns += events.size();
            historyDuplicates.add(prefix);
            return;
        }
        seen.add(prefix);
        List<String> ids = events.stream().map(ObserveEvent::eventId).toList();
        sink.evidence(new Evidence(hash.substring(0, 32), hash, type, events.get(0).requestId(), events.get(0).ts(), ids, content),
                canonical);
        inEvidence += events.size();
        evidence++;
        byType.merge(type.toString(), 1L, Long::sum);
    }

    private void quarantine(Quarantined.Reason reason, String detail, String file, long offset, String eventId, String raw)
            throws IOException {
        sink.quarantine(new Quarantined(Quarantined.idOf(file, offset, raw), reason, detail, file, offset, eventId, raw));
        quarantined++;
        byReason.merge(reason.toString(), 1L, Long::sum);
    }
}
