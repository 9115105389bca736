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
 * request's {@link Fusion}, weighted, merged and cut to {@code k}. A role-gated
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
        String role = resolved.role();
        List<MatrixdWire.CorpusError> skipped = new ArrayList<>();
        List<MatrixdWire.Corpus> searched = new ArrayList<>();
        for (MatrixdWire.Corpus c : corpora) {
            if (c.gate() == MatrixdWire.Gate.ROLE && role == null) {
                skipped.add(new MatrixdWire.CorpusError(c.name(), "no_query_role",
                        "corpus '" + c.name() + "' is role-gated, the query has no query_role and none could be extracted"));
            } else {
                searched.add(c);
            }
        }
        float[] vector = searched.isEmpty() ? null : embedd.embed(req.query());
        Map<MatrixdWire.Corpus, List<Future<ShardResult>>> calls = new LinkedHashMap<>();
        for (MatrixdWire.Corpus c : searched) {
            JsonNode filter = filter(req.filter(), c, role);
            for (URI shard : c.shards()) {
                calls.computeIfAbsent(c, x -> new ArrayList<>()).add(pool.submit(() -> search(c, shard, vector, req.k(), filter)));
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
            lists.add(corpusList(c, results, role, req.k(), req.fusion()));
        }
        if (!searched.isEmpty() && lists.isEmpty()) {
            throw new ApiException.UpstreamFailed("vectord", false, "all_corpora_failed", "no corpus answered: "
                    + errors.stream().map(e -> e.corpus() + " (" + e.code() + ": " + e.detail() + ")").toList(), null)
                    .with("errors", errors);
        }
        List<MatrixdWire.Hit> merged = new ArrayList<>();
        lists.forEach(merged::addAll);
        merged.sort(Comparator.comparingDouble(MatrixdWire.Hit::score).reversed()
                .thenComparing(Comparator.comparingDouble(MatrixdWire.Hit::rawScore).reversed())
                .thenComparing(MatrixdWire.Hit::corpus).thenComparing(MatrixdWire.Hit::id));
        List<MatrixdWire.Hit> hits = List.copyOf(merged.subList(0, Math.min(req.k(), merged.size())));
        double ms = Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
        MatrixdWire.RetrieveResponse response = new MatrixdWire.RetrieveResponse(hits, req.fusion(), role, resolved.source(),
                !errors.isEmpty(),
                List.copyOf(errors), List.copyOf(skipped), ms);
        observe(req, response);
        return response;
    }

    private ShardResult search(MatrixdWire.Corpus c, URI shard, float[] vector, int k, JsonNode filter) {
        try {
            return new ShardResult(c, shard, vectord.search(shard, c.index(), new VectordClient.SearchRequest(vector, k, filter))
                    .hits(), null);
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

    /**
     * The caller's filter, then the corpus's own filter over it, then, for a gated corpus, the gate's admitted roles
     * in place of any {@code role} either gave.
     */
    private JsonNode filter(JsonNode requested, MatrixdWire.Corpus c, String role) {
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

    /** One corpus's hits: shards merged by raw score, cut to k, gated again, fused with the corpus weight. */
    private List<MatrixdWire.Hit> corpusList(MatrixdWire.Corpus c, List<ShardResult> results, String role, int k, Fusion fusion) {
        record Raw(URI shard, VectordClient.SearchHit hit) {
        }
        List<Raw> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ShardResult r : results) {
            for (VectordClient.SearchHit h : r.hits()) {
                boolean admitted = c.gate() != MatrixdWire.Gate.ROLE
                        || gate.admits(role, h.payload() == null ? null : h.payload().path("role").asText(null));
                if (admitted) {
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
        double[] fused = fusion.scores(raw, c.weight());
        List<MatrixdWire.Hit> out = new ArrayList<>(top.size());
        for (int i = 0; i < top.size(); i++) {
            VectordClient.SearchHit h = top.get(i).hit();
            String docId = h.payload() != null && h.payload().path("doc_id").isTextual() ? h.payload().path("doc_id").asText() : h.id();
            out.add(new MatrixdWire.Hit(c.name(), c.index(), top.get(i).shard().toString(), h.id(), docId, round(fused[i]),
                    h.score(), i + 1, h.payload()));
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private void observe(MatrixdWire.RetrieveRequest req, MatrixdWire.RetrieveResponse res) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("query", req.query());
        p.put("query_role", res.queryRole());
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
