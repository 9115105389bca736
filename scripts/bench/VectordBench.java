/*
 * Driver for scripts/bench/vectord.sh (a single-file program on vectord's class path).
 *   load <url> <n> <dims> <seed>               insert n clustered vectors over HTTP in batches of 1000; prints inserts/s
 *   http <url> <n> <dims> <seed> <queries>     recall@10 (against exact, computed in-process) and QPS at ef 50/100/200, 2 threads
 *   inproc <n> <dims> <seed> <queries>         the same index built and searched in-process, no HTTP; and exact QPS
 *   queries-file <path> <dims> <seed> <count>  search bodies, one per line, for wrk (search.lua)
 * Vectors: 100 cluster centres, Gaussian noise 0.3; queries drawn the same way (fixed seed).
 */
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lakehouse.common.Json;
import dev.lakehouse.vectord.IndexParams;
import dev.lakehouse.vectord.Metric;
import dev.lakehouse.vectord.VectorIndex;

public class VectordBench {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "load" -> load(URI.create(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), Long.parseLong(a[4]));
            case "http" -> http(URI.create(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), Long.parseLong(a[4]), Integer.parseInt(a[5]));
            case "queries-file" -> queriesFile(a[1], Integer.parseInt(a[2]), Long.parseLong(a[3]), Integer.parseInt(a[4]));
            case "inproc" -> inproc(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Long.parseLong(a[3]), Integer.parseInt(a[4]));
            default -> throw new IllegalArgumentException(a[0]);
        }
        System.exit(0);
    }

    static float[][] data(int n, int dims, long seed) {
        Random r = new Random(seed);
        float[][] centres = new float[100][dims];
        for (float[] c : centres) {
            for (int d = 0; d < dims; d++) {
                c[d] = (float) r.nextGaussian();
            }
        }
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = noisy(centres[i % centres.length], r);
        }
        return out;
    }

    static float[][] queries(int q, int dims, long seed) {
        float[][] base = data(100, dims, seed);   // the same centres
        Random r = new Random(seed + 1);
        float[][] out = new float[q][];
        for (int i = 0; i < q; i++) {
            out[i] = noisy(base[i % 100], r);
        }
        return out;
    }

    static float[] noisy(float[] c, Random r) {
        float[] v = c.clone();
        for (int d = 0; d < v.length; d++) {
            v[d] += (float) r.nextGaussian() * 0.3f;
        }
        return v;
    }

    static String vec(float[] v) {
        StringBuilder sb = new StringBuilder(v.length * 10).append('[');
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.append(']').toString();
    }

    static HttpResponse<String> post(URI url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void load(URI url, int n, int dims, long seed) throws Exception {
        float[][] data = data(n, dims, seed);
        HTTP.send(HttpRequest.newBuilder(url.resolve("/v1/indexes/bench")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"dims\":" + dims + ",\"metric\":\"cosine\",\"m\":16,\"ef_construction\":200}")).build(),
                HttpResponse.BodyHandlers.ofString());
        long start = System.nanoTime();
        for (int from = 0; from < n; from += 1000) {
            StringBuilder sb = new StringBuilder("{\"points\":[");
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                sb.append(i == from ? "" : ",").append("{\"id\":\"p").append(i).append("\",\"vector\":").append(vec(data[i]))
                        .append(",\"payload\":{\"cluster\":").append(i % 100).append("}}");
            }
            HttpResponse<String> r = post(url.resolve("/v1/indexes/bench/points"), sb.append("]}").toString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(r.body());
            }
            if ((from / 1000) % 10 == 9) {
                System.err.printf("  %,d / %,d inserted (%.0f/s)%n", from + 1000, n, (from + 1000) / ((System.nanoTime() - start) / 1e9));
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("insert over HTTP, batches of 1000: %,d points in %.1f s = %.0f points/s%n", n, s, n / s);
    }

    /** The exact top 10 by cosine, by brute force over the data (2 threads): the ground truth for recall. */
    static List<Set<String>> truth(int n, int dims, long seed, float[][] qs) throws Exception {
        float[][] data = data(n, dims, seed);
        for (float[] v : data) {
            normalise(v);
        }
        List<Set<String>> out = new ArrayList<>();
        for (int i = 0; i < qs.length; i++) {
            out.add(null);
        }
        AtomicInteger next = new AtomicInteger();
        try (var pool = Executors.newFixedThreadPool(2)) {
            for (int t = 0; t < 2; t++) {
                pool.submit(() -> {
                    int qi;
                    while ((qi = next.getAndIncrement()) < qs.length) {
                        float[] q = qs[qi].clone();
                        normalise(q);
                        java.util.PriorityQueue<float[]> best = new java.util.PriorityQueue<>((a, b) -> Float.compare(a[0], b[0]));
                        for (int i = 0; i < data.length; i++) {
                            float s = 0;
                            for (int d = 0; d < dims; d++) {
                                s += q[d] * data[i][d];
                            }
                            if (best.size() < 10) {
                                best.add(new float[] {s, i});
                            } else if (s > best.peek()[0]) {
                                best.poll();
                                best.add(new float[] {s, i});
                            }
                        }
                        Set<String> ids = new HashSet<>();
                        best.forEach(b -> ids.add("p" + (int) b[1]));
                        out.set(qi, ids);
                    }
                    return null;
                });
            }
        }
        return out;
    }

    static void normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
    }

    static VectorIndex build(int n, int dims, long seed) {
        VectorIndex index = new VectorIndex("bench", new IndexParams(dims, Metric.COSINE, 16, 200, 100));
        float[][] data = data(n, dims, seed);
        long start = System.nanoTime();
        for (int from = 0; from < n; from += 1000) {   // as vectord applies a batch of 1000: on every core
            List<VectorIndex.Upsert> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                batch.add(new VectorIndex.Upsert("p" + i, index.prepare(data[i], "v"), JsonNodeFactory.instance.objectNode().put("cluster", i % 100)));
            }
            index.upsertAll(batch, Runtime.getRuntime().availableProcessors());
        }
        System.out.printf("build in-process, batches of 1000 on %d threads: %,d points in %.1f s = %.0f points/s%n",
                Runtime.getRuntime().availableProcessors(), n, (System.nanoTime() - start) / 1e9, n / ((System.nanoTime() - start) / 1e9));
        return index;
    }

    static void http(URI url, int n, int dims, long seed, int queries) throws Exception {
        float[][] qs = queries(queries, dims, seed);
        List<Set<String>> truth = truth(n, dims, seed, qs);
        for (int i = 0; i < Math.min(200, qs.length); i++) {   // warm-up
            post(url.resolve("/v1/indexes/bench/search"), "{\"vector\":" + vec(qs[i]) + ",\"k\":10}");
        }
        recallByEf("search over HTTP (Java client)", qs, truth, (i, ef) -> {
            HttpResponse<String> r = post(url.resolve("/v1/indexes/bench/search"),
                    "{\"vector\":" + vec(qs[i]) + ",\"k\":10,\"ef\":" + ef + "}");
            List<String> ids = new ArrayList<>();
            Json.mapper().readTree(r.body()).path("hits").forEach(h -> ids.add(h.path("id").asText()));
            return ids;
        });
    }

    /** The ids of the top 10 for query {@code i} searched with {@code ef}. */
    interface Search {
        List<String> top10(int i, int ef) throws Exception;
    }

    /** Runs every query on 2 threads at ef 50, 100 and 200; prints QPS and recall@10 against the exact answers. */
    static void recallByEf(String what, float[][] qs, List<Set<String>> truth, Search search) {
        for (int ef : new int[] {50, 100, 200}) {
            AtomicInteger found = new AtomicInteger();
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            try (var pool = Executors.newFixedThreadPool(2)) {
                for (int t = 0; t < 2; t++) {
                    pool.submit(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < qs.length) {
                            for (String id : search.top10(i, ef)) {
                                if (truth.get(i).contains(id)) {
                                    found.incrementAndGet();
                                }
                            }
                        }
                        return null;
                    });
                }
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s, ef %3d, 2 threads: %6.0f QPS, recall@10 %.4f%n", what, ef, qs.length / s,
                    found.get() / (qs.length * 10.0));
        }
    }

    static void queriesFile(String path, int dims, long seed, int count) throws Exception {
        float[][] qs = queries(count, dims, seed);
        try (var out = java.nio.file.Files.newBufferedWriter(java.nio.file.Path.of(path))) {
            for (float[] q : qs) {
                out.write("{\"vector\":" + vec(q) + ",\"k\":10}\n");
            }
        }
    }

    static void inproc(int n, int dims, long seed, int queries) throws Exception {
        float[][] qs = queries(queries, dims, seed);
        VectorIndex index = build(n, dims, seed);
        List<Set<String>> truth = truth(n, dims, seed, qs);
        for (int i = 0; i < Math.min(200, qs.length); i++) {   // warm-up
            index.search(index.prepare(qs[i], "q"), 10, null, null);
        }
        recallByEf("search in-process", qs, truth,
                (i, ef) -> index.search(index.prepare(qs[i], "q"), 10, ef, null).stream().map(VectorIndex.Hit::id).toList());
        long start = System.nanoTime();
        int exactQueries = Math.min(200, qs.length);
        for (int i = 0; i < exactQueries; i++) {
            index.exact(index.prepare(qs[i], "q"), 10, null);
        }
        System.out.printf("exact (brute force) in-process, 1 thread: %.1f QPS%n", exactQueries / ((System.nanoTime() - start) / 1e9));
    }
}
