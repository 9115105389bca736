package dev.lakehouse.truthd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.logging.Logger;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.GroupCommitter;
import dev.lakehouse.common.JsonLog;
import dev.lakehouse.common.Observer;
import dev.lakehouse.common.Readiness;
import dev.lakehouse.truthd.store.ClaimLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every claim, indexed by id and by subject and field, durable in the {@link ClaimLog}.
 *
 * <p>Writes go through a {@link GroupCommitter}: its one writer thread checks each request
 * against the claims as they are (idempotent {@code claim_id}s, known {@code derived_from}),
 * gives its new claims ids and a {@code recorded_at} later than any before, appends the
 * group and fsyncs once, and only then publishes and acknowledges. A request the rules
 * refuse fails alone and leaves nothing. After publishing, each touched field is resolved
 * again by the policy: the conflict index follows, and an answer that changed is observed
 * ({@code truth.resolve}). Readers see immutable claim lists.
 */
public final class Claims implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Claims.class.getName());
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** Claims one subject's field may hold: resolving it is linear in them. */
    static final int MAX_PER_FIELD = 10_000;
    static final int MAX_CHAIN = 1_000;

    /** A post, or (with {@code erase}) an erasure, for the writer thread. */
    private record Submission(TruthdWire.PostClaims req, Erase erase) {
    }

    private record Erase(dev.lakehouse.common.SubjectIdentifiers subject, String erasureId) {
    }

    /** What an erasure removed: claims about the person or holding an identifier, and the rank statements about them. */
    public record Erased(String erasureId, int claimsRemoved, int subjectsTouched) {
    }

    private record Outcome(TruthdWire.Posted posted, Erased erased, ApiException refused) {
    }

    private final JsonLog<ClaimLog.Entry> log;
    private final Policy policy;
    private final Observer observer;
    private final GroupCommitter<Submission, Outcome> committer;
    private final Map<String, Claim> byId = new ConcurrentHashMap<>();
    private final Map<String, Map<String, List<Claim>>> bySubject = new ConcurrentHashMap<>();
    private final Map<String, List<String>> derivations = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<String> conflicts = new ConcurrentSkipListSet<>();   // "subject\tfield"
    private final Map<String, String> answers = new ConcurrentHashMap<>();                  // "subject\tfield" → normalised
    private final Map<String, String> names = new ConcurrentHashMap<>();                    // interned subjects, fields, sources
    private volatile TrustEstimator.Estimate trust = TrustEstimator.Estimate.NONE;
    /** Estimates as of times past: they never change. */
    private final com.github.benmanes.caffeine.cache.Cache<Instant, TrustEstimator.Estimate> pastTrust =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(16).build();
    private volatile dev.lakehouse.common.Periodic trustTimer;
    private volatile long writesSinceTrust;
    private volatile boolean loaded;
    private final dev.lakehouse.common.LogPosition position = new dev.lakehouse.common.LogPosition();   // the writer thread's

    public Claims(Path dataDir, Policy policy, Observer observer, MeterRegistry registry) {
        this.log = ClaimLog.open(dataDir);
        this.policy = policy;
        this.observer = observer;
        this.committer = new GroupCommitter<>("truthd", 1024, 64, this::write);
        Gauge.builder("truthd.claims", byId, Map::size).description("claims held").register(registry);
        Gauge.builder("truthd.subjects", bySubject, Map::size).description("subjects with claims").register(registry);
        Gauge.builder("truthd.conflicts", conflicts, Set::size).description("subject fields whose sources disagree").register(registry);
        Gauge.builder("truthd.log.bytes", log, JsonLog::bytes).description("size of the claim log").register(registry);
    }

    public Policy policy() {
        return policy;
    }

    /** Replays the log, then resolves every field once (silently) for the conflict index. */
    public void load() {
        long start = System.nanoTime();
        try {
            log.load(e -> {
                e.claims().forEach(this::index);
                position.replayed(e.seq(), e.at());
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load truthd's log " + log.file(), e);
        }
        bySubject.forEach((subject, fields) -> fields.keySet().forEach(field -> refresh(subject, field, false)));
        estimateTrust();
        loaded = true;
        LOG.info("loaded " + byId.size() + " claims about " + bySubject.size() + " subjects (" + conflicts.size()
                + " conflicting fields) in " + (System.nanoTime() - start) / 1_000_000 + " ms from " + log.file().getFileName());
    }

    public Readiness readiness() {
        return loaded ? Readiness.up() : Readiness.down("loading claims");
    }

    private void requireLoaded() {
        if (!loaded) {
            throw new ApiException.Unavailable("loading", "truthd is still loading its claims");
        }
    }

    public TruthdWire.Posted post(TruthdWire.PostClaims req) {
        requireLoaded();
        Outcome o = committer.submit(new Submission(req, null), WRITE_TIMEOUT);
        if (o.refused() != null) {
            throw o.refused();
        }
        return o.posted();
    }

    /** Runs on the writer thread only. */
    private List<Outcome> write(List<Submission> subs) throws IOException {
        Map<String, Claim> staged = new HashMap<>();
        Map<String, Integer> stagedPerField = new HashMap<>();
        List<Outcome> outcomes = new ArrayList<>(subs.size());
        List<ClaimLog.Entry> entries = new ArrayList<>();
        dev.lakehouse.common.LogPosition.Group group = position.group();
        List<Integer> erasures = new ArrayList<>();
        for (Submission sub : subs) {
            if (sub.erase() != null) {
                erasures.add(outcomes.size());
                outcomes.add(null);   // done after this group's claims are written
                continue;
            }
            Instant now = group.now();
            Map<String, Claim> mine = new LinkedHashMap<>();
            Map<String, Integer> mineCounts = new HashMap<>();
            try {
                List<String> ids = new ArrayList<>();
                int existing = 0;
                List<TruthdWire.ClaimIn> in = sub.req().claims();
                for (int i = 0; i < in.size(); i++) {
                    TruthdWire.ClaimIn c = in.get(i);
                    Claim old = c.claimId() == null ? null : find(c.claimId(), mine, staged);
                    if (old != null) {
                        if (!same(old, c)) {
                            throw new ApiException.Conflict("claim_conflict", "claims[" + i + "].claim_id: claim '" + c.claimId()
                                    + "' exists with other content (recorded at " + old.recordedAt() + "); a claim never changes");
                        }
                        ids.add(old.claimId());
                        existing++;
                        continue;
                    }
                    List<String> from = c.derivedFrom();
                    for (int j = 0; from != null && j < from.size(); j++) {
                        if (find(from.get(j), mine, staged) == null) {
                            throw new ApiException.BadRequest(422, "unknown_claim", "claims[" + i + "].derived_from[" + j
                                    + "]: there is no claim '" + from.get(j) + "' (a claim derives only from claims recorded before it)",
                                    Map.of());
                        }
                    }
                    List<Claim.RankChange> ranks = c.ranks();
                    for (int j = 0; ranks != null && j < ranks.size(); j++) {
                        checkRankable(find(ranks.get(j).claimId(), mine, staged), c, "claims[" + i + "].ranks[" + j + "].claim_id",
                                ranks.get(j).claimId());
                    }
                    String key = c.subject() + "\t" + c.field();
                    int held = fieldSize(c.subject(), c.field()) + stagedPerField.getOrDefault(key, 0) + mineCounts.getOrDefault(key, 0);
                    if (held >= MAX_PER_FIELD) {
                        throw new ApiException.BadRequest(422, "field_full", "claims[" + i + "]: " + c.subject() + " " + c.field()
                                + " already holds " + MAX_PER_FIELD + " claims", Map.of());
                    }
                    String id = c.claimId() != null ? c.claimId() : "c-" + UUID.randomUUID();
                    Claim claim = new Claim(id, intern(c.subject()), intern(c.field()), c.value(), intern(c.source()),
                            c.observedTime(now), now, c.confidence() == null ? 1.0 : c.confidence(),
                            c.rank() == null ? Claim.Rank.NORMAL : c.rank(), from, ranks, c.validFromTime(), c.validToTime(), null);
                    mine.put(id, claim);
                    mineCounts.merge(key, 1, Integer::sum);
                    ids.add(id);
                }
                if (!mine.isEmpty()) {
                    entries.add(new ClaimLog.Entry(group.add(now), now, List.copyOf(mine.values())));
                    staged.putAll(mine);
                    mineCounts.forEach((k, n) -> stagedPerField.merge(k, n, Integer::sum));
                }
                outcomes.add(new Outcome(new TruthdWire.Posted(List.copyOf(ids), mine.size(), existing), null, null));
            } catch (ApiException refused) {
                outcomes.add(new Outcome(null, null, refused));
            }
        }
        if (!entries.isEmpty()) {
            log.append(entries);   // throws: the group fails, nothing is published
            group.commit();
            Set<String> touched = new LinkedHashSet<>();
            for (ClaimLog.Entry e : entries) {
                for (Claim c : e.claims()) {
                    index(c);
                    touched.add(c.subject() + "\t" + c.field());
                }
            }
            touched.forEach(k -> refresh(k.substring(0, k.indexOf('\t')), k.substring(k.indexOf('\t') + 1), true));
            writesSinceTrust += staged.size();
        }
        for (int i : erasures) {
            Erase e = subs.get(i).erase();
            outcomes.set(i, new Outcome(null, eraseNow(e.subject(), e.erasureId()), null));
        }
        return outcomes;
    }

    /**
     * Removes every claim about the person (its subject names them) or whose value names them, and every rank statement
     * about a removed claim: the log is rewritten without them (atomically), the indexes follow, and the touched fields
     * are resolved again silently. Claims derived from a removed claim keep its id in {@code derived_from} (an id, not a
     * value). Done on the writer thread: posts wait meanwhile.
     */
    public Erased erase(dev.lakehouse.common.SubjectIdentifiers subject, String erasureId) {
        requireLoaded();
        Outcome o = committer.submit(new Submission(null, new Erase(subject, erasureId)), java.time.Duration.ofMinutes(10));
        if (o.refused() != null) {
            throw o.refused();
        }
        return o.erased();
    }

    private Erased eraseNow(dev.lakehouse.common.SubjectIdentifiers subject, String erasureId) throws IOException {
        Set<String> gone = new java.util.HashSet<>();
        for (Claim c : byId.values()) {
            if (subject.matches(c.subject()) || c.value() != null && subject.matches(c.value().isTextual() ? c.value().asText()
                    : c.value().toString())) {
                gone.add(c.claimId());
            }
        }
        for (Claim c : byId.values()) {   // statements about removed claims say what the claim was: they go too
            if (c.ranks() != null && c.ranks().stream().anyMatch(r -> gone.contains(r.claimId()))) {
                gone.add(c.claimId());
            }
        }
        if (gone.isEmpty()) {
            return new Erased(erasureId, 0, 0);
        }
        log.rewrite(e -> {
            if (e.claims().stream().noneMatch(c -> gone.contains(c.claimId()))) {
                return e;
            }
            List<Claim> kept = e.claims().stream().filter(c -> !gone.contains(c.claimId())).toList();
            return kept.isEmpty() ? null : new ClaimLog.Entry(e.seq(), e.at(), kept);
        });
        Set<String> touched = new LinkedHashSet<>();
        for (String id : gone) {
            Claim c = byId.remove(id);
            derivations.remove(id);
            touched.add(c.subject() + "\t" + c.field());
        }
        derivations.replaceAll((k, v) -> v.stream().filter(x -> !gone.contains(x)).toList());
        for (String key : touched) {
            String subj = key.substring(0, key.indexOf('\t'));
            String field = key.substring(key.indexOf('\t') + 1);
            Map<String, List<Claim>> fields = bySubject.get(subj);
            List<Claim> left = fields.get(field).stream().filter(c -> !gone.contains(c.claimId())).toList();
            if (left.isEmpty()) {
                fields.remove(field);
                conflicts.remove(key);
                answers.remove(key);
            } else {
                fields.put(field, left);
                refresh(subj, field, false);
            }
            if (fields.isEmpty()) {
                bySubject.remove(subj);
            }
        }
        writesSinceTrust++;
        LOG.info("erasure " + erasureId + ": " + gone.size() + " claims removed");
        return new Erased(erasureId, gone.size(), (int) touched.stream().map(k -> k.substring(0, k.indexOf('\t'))).distinct().count());
    }

    private Claim find(String id, Map<String, Claim> mine, Map<String, Claim> staged) {
        Claim c = mine.get(id);
        if (c == null) {
            c = staged.get(id);
        }
        return c != null ? c : byId.get(id);
    }

    /**
     * A rank statement names a claim recorded before it (so promotions and deprecations cannot form a cycle), of its own
     * subject and field, that asserts a value.
     */
    private static void checkRankable(Claim target, TruthdWire.ClaimIn c, String where, String id) {
        if (target == null) {
            throw new ApiException.BadRequest(422, "unknown_claim", where + ": there is no claim '" + id
                    + "' (a rank statement names only claims recorded before it)", Map.of());
        }
        if (!target.subject().equals(c.subject()) || !target.field().equals(c.field())) {
            throw new ApiException.BadRequest(422, "other_subject", where + ": claim '" + id + "' is about " + target.subject()
                    + " " + target.field() + ", not " + c.subject() + " " + c.field() + "; a rank statement ranks claims of its "
                    + "own subject and field", Map.of());
        }
        if (!target.asserts()) {
            throw new ApiException.BadRequest(422, "not_rankable", where + ": claim '" + id + "' is a rank statement without a "
                    + "value; rank the claims it ranked instead", Map.of());
        }
    }

    /** Whether a re-sent claim is the one recorded (observed_at compared only when the caller gave one). */
    private static boolean same(Claim old, TruthdWire.ClaimIn c) {
        return old.subject().equals(c.subject()) && old.field().equals(c.field()) && Objects.equals(old.value(), c.value())
                && Objects.equals(old.ranks(), c.ranks()) && Objects.equals(old.validFrom(), c.validFromTime())
                && Objects.equals(old.validTo(), c.validToTime())
                && old.source().equals(c.source()) && old.rank() == (c.rank() == null ? Claim.Rank.NORMAL : c.rank())
                && old.confidence() == (c.confidence() == null ? 1.0 : c.confidence())
                && Objects.equals(old.derivedFrom(), c.derivedFrom())
                && (c.observedAt() == null || old.observedAt().equals(c.observedTime(old.recordedAt())));
    }

    private String intern(String s) {
        String had = names.putIfAbsent(s, s);
        return had != null ? had : s;
    }

    private int fieldSize(String subject, String field) {
        Map<String, List<Claim>> fields = bySubject.get(subject);
        List<Claim> l = fields == null ? null : fields.get(field);
        return l == null ? 0 : l.size();
    }

    private void index(Claim c) {
        byId.put(c.claimId(), c);
        bySubject.computeIfAbsent(c.subject(), s -> new ConcurrentHashMap<>()).merge(c.field(), List.of(c), (a, b) -> {
            List<Claim> l = new ArrayList<>(a.size() + 1);
            l.addAll(a);
            l.addAll(b);
            return List.copyOf(l);
        });
        if (c.derivedFrom() != null) {
            for (String d : c.derivedFrom()) {
                derivations.merge(d, List.of(c.claimId()), (a, b) -> {
                    List<String> l = new ArrayList<>(a);
                    l.addAll(b);
                    return List.copyOf(l);
                });
            }
        }
    }

    /** Resolves a field by the policy: the conflict index follows; a changed answer is observed when {@code observe}. */
    private void refresh(String subject, String field, boolean observe) {
        Policy.Rule rule = policy.rule(field);
        Instant now = Instant.now();
        List<Claim> all = bySubject.get(subject).get(field);
        Resolver.Resolution r = Resolver.resolve(all, policy, rule, rule.strategy(), trust, now);
        String key = subject + "\t" + field;
        if (r.conflicted()) {
            conflicts.add(key);
        } else {
            conflicts.remove(key);
        }
        String before = r.normalized() == null ? answers.remove(key) : answers.put(key, r.normalized());
        if (observe && !Objects.equals(before, r.normalized())) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("subject", subject);
            p.put("field", field);
            p.put("from", before);
            p.put("to", r.normalized());
            p.put("value", r.value());
            p.put("claim_id", r.claim() == null ? null : r.claim().claimId());
            p.put("source", r.claim() == null ? null : r.claim().source());
            p.put("strategy", rule.strategy().toString());
            p.put("rule", r.rule().name());
            p.put("conflicting", r.conflicting().size());
            List<Map<String, Object>> weighed = new ArrayList<>();   // what the answer was chosen from (distillation's class 8)
            for (Claim c : Resolver.assertions(Resolver.candidates(Resolver.standing(all), now))) {
                if (weighed.size() == 20) {
                    break;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("source", c.source());
                m.put("value", c.value());
                m.put("rank", c.rank().toString());
                m.put("observed_at", c.observedAt().toString());
                weighed.add(m);
            }
            p.put("claims", weighed);
            observer.observe("truth.resolve", p);
        }
    }

    /** The claims of a subject's field recorded by {@code asOf} (null: all), in recorded order. */
    private static List<Claim> asOf(List<Claim> claims, Instant asOf) {
        if (asOf == null) {
            return claims;
        }
        int lo = 0;
        int hi = claims.size();
        while (lo < hi) {   // the first recorded after asOf
            int mid = (lo + hi) >>> 1;
            if (claims.get(mid).recordedAt().isAfter(asOf)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return claims.subList(0, lo);
    }

    /**
     * Every field of a subject (or those named) resolved as truthd knew it at {@code asOf} (null: now) for the world at
     * {@code validAt} (null: now), by the policy's strategy or {@code strategy}; empty when the subject had no claims then.
     * The {@code trust} strategy weighs the sources by their trust as estimated from the claims recorded by {@code asOf}.
     */
    public Map<String, Resolver.Resolution> resolve(String subject, Instant asOf, Instant validAt, Policy.Strategy strategy,
                                                    List<String> only) {
        requireLoaded();
        Map<String, Resolver.Resolution> out = new TreeMap<>();
        Map<String, List<Claim>> fields = bySubject.getOrDefault(subject, Map.of());
        Instant at = validAt != null ? validAt : Instant.now();
        boolean usesTrust = strategy == Policy.Strategy.TRUST || strategy == null && fields.keySet().stream()
                .anyMatch(f -> policy.rule(f).strategy() == Policy.Strategy.TRUST);
        TrustEstimator.Estimate t = usesTrust ? trust(asOf) : trust;
        fields.forEach((field, claims) -> {
            if (only != null && !only.contains(field)) {
                return;
            }
            List<Claim> known = asOf(claims, asOf);
            if (!known.isEmpty()) {
                Policy.Rule rule = policy.rule(field);
                out.put(field, Resolver.resolve(known, policy, rule, strategy != null ? strategy : rule.strategy(), t, at));
            }
        });
        return out;
    }

    /** A claim, the claims it was derived from (transitively, nearest first, at most 1,000) and those derived from it. */
    public record Provenance(Claim claim, List<Derived> derivedFrom, List<String> derivations) {
    }

    /** One claim of a chain and how many steps it is from the claim asked about. */
    public record Derived(int depth, Claim claim) {
    }

    public Provenance provenance(String id) {
        requireLoaded();
        Claim c = byId.get(id);
        if (c == null) {
            throw new ApiException.NotFound("claim_not_found", "there is no claim '" + id + "'");
        }
        List<Derived> chain = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>(Set.of(id));
        ArrayDeque<Derived> queue = new ArrayDeque<>();
        queue.add(new Derived(0, c));
        while (!queue.isEmpty() && chain.size() < MAX_CHAIN) {
            Derived d = queue.poll();
            for (String parent : d.claim().derivedFrom() == null ? List.<String>of() : d.claim().derivedFrom()) {
                if (seen.add(parent) && chain.size() < MAX_CHAIN) {
                    Claim known = byId.get(parent);
                    if (known == null) {   // removed by an erasure: its id stays in derived_from, the claim is gone
                        continue;
                    }
                    Derived p = new Derived(d.depth() + 1, known);
                    chain.add(p);
                    queue.add(p);
                }
            }
        }
        return new Provenance(c, List.copyOf(chain), derivations.getOrDefault(id, List.of()));
    }

    /** One conflicting field: each value with the sources asserting it. */
    public record ConflictView(String subject, String field, List<ValueView> values) {
    }

    public record ValueView(com.fasterxml.jackson.databind.JsonNode value, String normalized, List<String> sources) {
    }

    /** A page of conflicts, after the cursor {@code after} ({@code subject/field}, the last one shown), filtered by field and source. */
    public record ConflictPage(List<ConflictView> conflicts, String next) {
    }

    public ConflictPage conflicts(String field, String source, String after, int limit) {
        requireLoaded();
        List<ConflictView> out = new ArrayList<>();
        String next = null;
        for (String key : after == null ? conflicts : conflicts.tailSet(after.replace('/', '\t'), false)) {
            int tab = key.indexOf('\t');
            String subject = key.substring(0, tab);
            String f = key.substring(tab + 1);
            if (field != null && !field.equals(f)) {
                continue;
            }
            Policy.Rule rule = policy.rule(f);
            List<Claim> asserted = Resolver.assertions(Resolver.candidates(Resolver.standing(bySubject.get(subject).get(f)),
                    Instant.now()));
            if (source != null && asserted.stream().noneMatch(c -> c.source().equals(source))) {
                continue;
            }
            if (out.size() == limit) {
                next = out.get(out.size() - 1).subject() + "/" + out.get(out.size() - 1).field();
                break;
            }
            Map<String, ValueView> values = new LinkedHashMap<>();
            for (Claim c : asserted) {
                String n = rule.type().normalize(c.value());
                ValueView v = values.computeIfAbsent(n, k -> new ValueView(c.value(), k, new ArrayList<>()));
                v.sources().add(c.source());
            }
            out.add(new ConflictView(subject, f, List.copyOf(values.values())));
        }
        return new ConflictPage(List.copyOf(out), next);
    }

    /** Re-estimates every source's trust from all subjects (CRH); the trust strategy uses the result. */
    public synchronized TrustEstimator.Estimate estimateTrust() {
        writesSinceTrust = 0;
        TrustEstimator.Estimate e = estimate(null);
        trust = e;
        return e;
    }

    /**
     * Each source's trust as it could be estimated from the claims recorded by {@code asOf} (null: all), each source's
     * latest claim valid then. Multi-valued fields are left out (two sources naming different skills do not contradict
     * each other). Linear in the claims.
     */
    private TrustEstimator.Estimate estimate(Instant asOf) {
        TrustEstimator.Builder b = new TrustEstimator.Builder().asOf(asOf);
        Instant at = asOf != null ? asOf : Instant.now();
        bySubject.forEach((subject, fields) -> fields.forEach((field, claims) -> {
            Policy.Rule rule = policy.rule(field);
            if (rule.multi()) {
                return;
            }
            Map<String, List<Claim>> valueClaims = new LinkedHashMap<>();
            for (Claim c : Resolver.assertions(Resolver.candidates(Resolver.standing(asOf(claims, asOf)), at))) {
                valueClaims.computeIfAbsent(rule.type().normalize(c.value()), k -> new ArrayList<>()).add(c);
            }
            if (!valueClaims.isEmpty()) {
                b.add(valueClaims);
            }
        }));
        return b.estimate();
    }

    /**
     * Trust as of {@code asOf}: the latest estimate for now; for a time past, estimated from the claims recorded by then
     * (kept for the next reads once no write in flight can still be recorded before it).
     */
    public TrustEstimator.Estimate trust(Instant asOf) {
        requireLoaded();
        if (asOf == null) {
            return trust;
        }
        if (asOf.isAfter(Instant.now().minus(WRITE_TIMEOUT))) {
            return estimate(asOf);
        }
        return pastTrust.get(asOf, this::estimate);
    }

    /** The last estimate. */
    public TrustEstimator.Estimate trust() {
        return trust;
    }

    /** Estimates trust again every {@code interval} when claims arrived since the last estimate. */
    public void estimateTrustEvery(Duration interval) {
        trustTimer = dev.lakehouse.common.Periodic.every("truthd-trust", interval, () -> {
            if (writesSinceTrust > 0) {
                TrustEstimator.Estimate e = estimateTrust();
                LOG.fine("trust estimated over " + e.objects() + " fields in " + e.tookMs() + " ms, " + e.rounds() + " rounds");
            }
        });
    }

    @Override
    public void close() {
        if (trustTimer != null) {
            trustTimer.close(Duration.ZERO);   // an estimate under way is abandoned: it is recomputed at the next start
        }
        committer.close();
        try {
            log.close();
        } catch (IOException e) {
            LOG.warning("closing truthd's log failed: " + e.getMessage());
        }
    }
}
