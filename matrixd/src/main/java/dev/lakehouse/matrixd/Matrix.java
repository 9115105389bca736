package dev.lakehouse.matrixd;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Observer;
import dev.lakehouse.matrixd.client.EmbeddClient;
import dev.lakehouse.matrixd.client.VectordClient;

/**
 * Matrix retrieval: one query over N corpora (docs/matrixd.md).
 *
 * <p>A retrieve embeds the query once (embedd), then searches every shard of every
 * corpus at once, each on its own virtual thread, all bounded by one deadline
 * ({@code searchTimeout}). A corpus's shards are one logical index: their hits are
 * merged by raw score (one metric, so comparable) and cut to {@code k}, which gives
 * {@code rank_in_corpus}. The corpora's lists are then made comparable by the
 * request's {@link Fusion} (weighted as it defines), and merged: a point of one index
 * reached through several corpora is one hit, its scores summed, every source in its
 * attribution (as Qdrant fuses prefetches). Then {@code score_threshold}, then
 * {@code group_by} (hits sharing a payload value, at most {@code group_size} each), then
 * {@code offset} and {@code k}. A hit whose payload carries a validity window
 * ({@code valid_from}/{@code valid_to}, as pathwayd's memories do) is served only
 * inside it. A role-gated
 * corpus is searched with the {@link RoleGate}'s admitted roles as a vectord filter
 * (so k admitted hits come back when k exist) and every hit is checked again. A
 * corpus that fails or misses the deadline does not fail the request: the answer is
 * {@code partial} with an error naming it; only when every corpus fails is it a 502.
 * Work is linear in corpora × k.
 */
final class Matrix {
    private final CorpusRegistry registry;
    private final EmbeddClient embedd;
    private final VectordClient vectord;
    private final RoleGate gate;
    private final RoleResolver roles;
    private final Observer observer;
    private final Duration searchTimeout;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    Matrix(CorpusRegistry registry, EmbeddClient embedd, VectordClient vectord, RoleGate gate, RoleResolver roles,
           Observer observer, Duration searchTimeout) {
        this.registry = registry;
        this.embedd = embedd;
        this.vectord = vectord;
        this.gate = gate;
        this.roles = roles;
        this.observer = observer;
        this.searchTimeout = searchTimeout;
    }

    /**
     * Registers a corpus after checking that every shard has the index, with one
     * dimension count: 400 {@code index_not_found} / {@code shard_mismatch} naming the
     * shard; a vectord that is down is a 503 naming it.
     */
    CorpusRegistry.Put register(String name, MatrixdWire.CorpusSpec spec) {
        MatrixdWire.checkName(name, "name");
        List<URI> shards = spec.shardUrls();
        for (int i = 0; i < shards.size(); i++) {   // before any call: a registration cannot make matrixd fetch an address
            if (!vectord.allows(shards.get(i))) {
                throw VectordClient.notAllowed(shards.get(i).toString(), shards.size() == 1 ? "vectord_url" : "shards[" + i + "]");
            }
        }
        Integer dims = null;
        boolean gated = false;
        for (URI shard : shards) {
            VectordClient.IndexInfo info;
            try {
                info = vectord.describe(shard, spec.index());
            } catch (ApiException.NotFound e) {
                throw new ApiException.BadRequest("index_not_found", "index '" + spec.index() + "' does not exist on vectord "
                        + shard + "; create it there first (PUT /v1/indexes/" + spec.index() + ")");
            }
            if (dims != null && info.dims() != dims) {
                throw new ApiException.BadRequest("shard_mismatch", "index '" + spec.index() + "' has " + info.dims()
                        + " dimensions on " + shard + " but " + dims + " on the first shard");
            }
            dims = info.dims();
            gated |= info.gated();
        }
        // the gate belongs to the index: a corpus naming a gated index is gated, whatever the registration asked
        return registry.put(name, gated ? spec.withGate(MatrixdWire.Gate.ROLE) : spec);
    }

    /** One shard's answer, or why there is none. */
    private record ShardResult(MatrixdWire.Corpus corpus, URI shard, List<VectordClient.SearchHit> hits, ApiException error) {
    }

    MatrixdWire.RetrieveResponse retrieve(MatrixdWire.RetrieveRequest req) {
        long start = System.nanoTime();
        List<MatrixdWire.Corpus> corpora = new ArrayList<>();
        req.corpora().forEach(name -> corpora.add(registry.require(name)));   // 404 before any call
        boolean gated = corpora.stream().anyMatch(c -> c.gate() == MatrixdWire.Gate.ROLE);
        RoleResolver.Resolved resolved = roles.resolve(req.queryRole(), req.query(), gated);
        List<String> role = resolved.roles();
        List<MatrixdWire.CorpusError> skipped = new ArrayList<>();
        List<MatrixdWire.Corpus> searched = new ArrayList<>();
        for (MatrixdWire.Corpus c : corpora) {
            if (c.gate() == MatrixdWire.Gate.ROLE && role.isEmpty()) {
                skipped.add(new MatrixdWire.CorpusError(c.name(), "no_query_role",
                        "corpus '" + c.name() + "' is role-gated, the query has no query_role and none could be extracted"
                                + (resolved.why() == null ? "" : " (" + resolved.why() + ")")));
            } else {
                searched.add(c);
            }
        }
        byte[] vector = searched.isEmpty() ? null : embedd.embedJson(req.query());   // passed on as embedd wrote it
        Map<MatrixdWire.Corpus, List<Future<ShardResult>>> calls = new LinkedHashMap<>();
        for (MatrixdWire.Corpus c : searched) {
            JsonNode filter = filter(req.filter(), c, role);
            for (URI shard : c.shards()) {
                calls.computeIfAbsent(c, x -> new ArrayList<>()).add(pool.submit(() -> search(c, shard, vector, req.fetch(), filter)));
            }
        }
        long deadline = System.nanoTime() + searchTimeout.toNanos();
        List<MatrixdWire.CorpusError> errors = new ArrayList<>();
        List<List<MatrixdWire.Hit>> lists = new ArrayList<>();
        for (var entry : calls.entrySet()) {
            MatrixdWire.Corpus c = entry.getKey();
            List<ShardResult> results = new ArrayList<>();
            for (Future<ShardResult> f : entry.getValue()) {
                results.add(await(f, c, deadline));
            }
            ApiException failed = results.stream().map(ShardResult::error).filter(e -> e != null).findFirst().orElse(null);
            if (failed != null) {
                errors.add(new MatrixdWire.CorpusError(c.name(), failed.code(), failed.detail()));
                continue;
            }
            lists.add(corpusList(c, results, role, req));
        }
        if (!searched.isEmpty() && lists.isEmpty()) {
            throw new ApiException.UpstreamFailed("vectord", false, "all_corpora_failed", "no corpus answered: "
                    + errors.stream().map(e -> e.corpus() + " (" + e.code() + ": " + e.detail() + ")").toList(), null)
                    .with("errors", errors);
        }
        List<MatrixdWire.Hit> merged = merge(lists);
        if (req.scoreThreshold() != null) {
            merged.removeIf(h -> h.score() < req.scoreThreshold());
        }
        List<MatrixdWire.Hit> hits;
        List<MatrixdWire.Group> groups = null;
        Integer ungrouped = null;
        if (req.groupBy() != null) {
            Grouped g = group(merged, req.groupBy(), req.groupSize(), req.offset() + req.k());
            groups = List.copyOf(g.groups().subList(Math.min(req.offset(), g.groups().size()), g.groups().size()));
            hits = groups.stream().map(x -> x.hits().get(0)).toList();
            ungrouped = g.ungrouped();
        } else {
            hits = List.copyOf(merged.subList(Math.min(req.offset(), merged.size()), Math.min(req.offset() + req.k(), merged.size())));
        }
        double ms = Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
        MatrixdWire.RetrieveResponse response = new MatrixdWire.RetrieveResponse(hits, groups, ungrouped, req.fusion(),
                resolved.role(), role, resolved.source(), !errors.isEmpty(), List.copyOf(errors), List.copyOf(skipped), ms);
        observe(req, response);
        return response;
    }

    private ShardResult search(MatrixdWire.Corpus c, URI shard, byte[] vector, int k, JsonNode filter) {
        try {
            return new ShardResult(c, shard, vectord.search(shard, c.index(), vector, k, filter).hits(), null);
        } catch (ApiException e) {
            return new ShardResult(c, shard, List.of(), e);
        }
    }

    private ShardResult await(Future<ShardResult> f, MatrixdWire.Corpus c, long deadline) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new ShardResult(c, null, List.of(), new ApiException.UpstreamFailed("vectord", true, "corpus_timeout",
                    "corpus '" + c.name() + "' did not answer within " + searchTimeout.toMillis() + " ms", null));
        } catch (ExecutionException e) {
            return new ShardResult(c, null, List.of(), new ApiException.UpstreamFailed("vectord", false, "corpus_failed",
                    "corpus '" + c.name() + "' failed: " + e.getCause(), e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Unavailable("interrupted", "interrupted while waiting for corpus '" + c.name() + "'");
        }
    }

    /** Hits of one index reached through several corpora made one: scores summed, sources kept, the best source on top. */
    static List<MatrixdWire.Hit> merge(List<List<MatrixdWire.Hit>> lists) {
        Map<String, List<MatrixdWire.Hit>> byPoint = new LinkedHashMap<>();
        for (List<MatrixdWire.Hit> l : lists) {
            for (MatrixdWire.Hit h : l) {
                byPoint.computeIfAbsent(h.index() + "\u0000" + h.id(), x -> new ArrayList<>(1)).add(h);
            }
        }
        List<MatrixdWire.Hit> out = new ArrayList<>(byPoint.size());
        for (List<MatrixdWire.Hit> same : byPoint.values()) {
            if (same.size() == 1) {
                out.add(same.get(0));
                continue;
            }
            same.sort(BEST);
            MatrixdWire.Hit top = same.get(0);
            List<MatrixdWire.Source> sources = same.stream().flatMap(h -> h.sources().stream()).toList();
            out.add(new MatrixdWire.Hit(top.corpus(), top.index(), top.shard(), top.id(), top.docId(),
                    round(same.stream().mapToDouble(MatrixdWire.Hit::score).sum()), top.rawScore(), top.rankInCorpus(), top.payload(),
                    sources));
        }
        out.sort(BEST);
        return out;
    }

    private static final Comparator<MatrixdWire.Hit> BEST = Comparator.comparingDouble(MatrixdWire.Hit::score).reversed()
            .thenComparing(Comparator.comparingDouble(MatrixdWire.Hit::rawScore).reversed())
            .thenComparing(MatrixdWire.Hit::corpus).thenComparing(MatrixdWire.Hit::id);

    record Grouped(List<MatrixdWire.Group> groups, int ungrouped) {
    }

    /**
     * The hits (best first) grouped by a payload field's value, groups in the order of their best hit, each at most
     * {@code size}, until {@code groups} groups; a hit without the field (or with an object there) is in no group,
     * counted; a list value puts the hit in each of its values' groups, as Qdrant does.
     */
    static Grouped group(List<MatrixdWire.Hit> hits, String field, int size, int groups) {
        Map<JsonNode, List<MatrixdWire.Hit>> out = new LinkedHashMap<>();
        int ungrouped = 0;
        for (MatrixdWire.Hit h : hits) {
            JsonNode v = h.payload() == null ? null : h.payload().get(field);
            List<JsonNode> keys = new ArrayList<>();
            if (v != null && v.isValueNode() && !v.isNull()) {
                keys.add(v);
            } else if (v != null && v.isArray()) {
                v.forEach(x -> {
                    if (x.isValueNode() && !x.isNull()) {
                        keys.add(x);
                    }
                });
            }
            if (keys.isEmpty()) {
                ungrouped++;
            }
            for (JsonNode key : keys) {
                List<MatrixdWire.Hit> g = out.get(key);
                if (g == null && out.size() < groups) {
                    g = new ArrayList<>();
                    out.put(key, g);
                }
                if (g != null && g.size() < size) {
                    g.add(h);
                }
            }
        }
        List<MatrixdWire.Group> list = new ArrayList<>();
        out.forEach((k, v) -> list.add(new MatrixdWire.Group(k, List.copyOf(v))));
        return new Grouped(List.copyOf(list), ungrouped);
    }

    /**
     * The caller's filter, then the corpus's own filter over it, then, for a gated corpus, the gate's admitted roles
     * in place of any {@code role} either gave.
     */
    private JsonNode filter(JsonNode requested, MatrixdWire.Corpus c, List<String> role) {
        boolean none = requested == null || requested.isNull();
        if (c.gate() != MatrixdWire.Gate.ROLE && c.filter() == null) {
            return none ? null : requested;
        }
        ObjectNode f = none ? Json.mapper().createObjectNode() : ((ObjectNode) requested).deepCopy();
        if (c.filter() != null) {
            f.setAll((ObjectNode) c.filter());
        }
        if (c.gate() == MatrixdWire.Gate.ROLE) {
            ArrayNode roles = f.putArray("role");
            gate.admitted(role).forEach(roles::add);
        }
        return f;
    }

    /**
     * One corpus's hits: gated again, outside their validity window dropped, shards merged by raw score, cut to the
     * fetch, fused with the corpus weight.
     */
    private List<MatrixdWire.Hit> corpusList(MatrixdWire.Corpus c, List<ShardResult> results, List<String> role,
                                             MatrixdWire.RetrieveRequest req) {
        int k = req.fetch();
        java.time.Instant now = java.time.Instant.now();
        record Raw(URI shard, VectordClient.SearchHit hit) {
        }
        List<Raw> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ShardResult r : results) {
            for (VectordClient.SearchHit h : r.hits()) {
                boolean admitted = c.gate() != MatrixdWire.Gate.ROLE
                        || gate.admits(role, h.payload() == null ? null : h.payload().path("role").asText(null));
                if (admitted && validAt(h.payload(), now)) {
                    all.add(new Raw(r.shard(), h));
                }
            }
        }
        all.sort(Comparator.comparingDouble((Raw r) -> r.hit().score()).reversed().thenComparing(r -> r.hit().id()));
        List<Raw> top = new ArrayList<>();
        for (Raw r : all) {
            if (top.size() < k && seen.add(r.hit().id())) {
                top.add(r);
            }
        }
        double[] raw = top.stream().mapToDouble(r -> r.hit().score()).toArray();
        double[] fused = req.fusion().scores(raw, c.weight(), req.rrfK());
        List<MatrixdWire.Hit> out = new ArrayList<>(top.size());
        for (int i = 0; i < top.size(); i++) {
            VectordClient.SearchHit h = top.get(i).hit();
            String docId = h.payload() != null && h.payload().path("doc_id").isTextual() ? h.payload().path("doc_id").asText() : h.id();
            String shard = top.get(i).shard().toString();
            double score = round(fused[i]);
            out.add(new MatrixdWire.Hit(c.name(), c.index(), shard, h.id(), docId, score, h.score(), i + 1, h.payload(),
                    List.of(new MatrixdWire.Source(c.name(), c.index(), shard, i + 1, h.score(), score))));
        }
        return out;
    }

    /**
     * Whether a hit is inside its payload's validity window, if it has one ({@code valid_from <= now < valid_to}, RFC
     * 3339): pathwayd's playbooks carry theirs. A window that does not parse is no window.
     */
    static boolean validAt(JsonNode payload, java.time.Instant now) {
        if (payload == null) {
            return true;
        }
        java.time.Instant from = time(payload.get("valid_from"));
        java.time.Instant to = time(payload.get("valid_to"));
        return (from == null || !from.isAfter(now)) && (to == null || now.isBefore(to));
    }

    private static java.time.Instant time(JsonNode v) {
        if (v == null || !v.isTextual() || v.asText().length() > 64) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(v.asText()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private void observe(MatrixdWire.RetrieveRequest req, MatrixdWire.RetrieveResponse res) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("query", req.query());
        p.put("query_role", res.queryRole());
        if (res.queryRoles() != null && res.queryRoles().size() > 1) {
            p.put("query_roles", res.queryRoles());
        }
        p.put("role_source", res.roleSource().toString());
        p.put("corpora", req.corpora());
        p.put("fusion", req.fusion().toString());
        p.put("k", req.k());
        p.put("hits", res.hits().stream().map(h -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("corpus", h.corpus());
            m.put("id", h.id());
            m.put("doc_id", h.docId());
            m.put("score", h.score());
            m.put("raw_score", h.rawScore());
            String text = h.payload() == null ? null : h.payload().path("text").asText(null);
            if (text != null) {   // distillation's RAG export needs the passage itself
                m.put("text", text.length() > 4_000 ? text.substring(0, 4_000) : text);
            }
            return m;
        }).toList());
        p.put("partial", res.partial());
        observer.observe("retrieve", p);
    }

    void close() {
        pool.shutdownNow();
    }
}
