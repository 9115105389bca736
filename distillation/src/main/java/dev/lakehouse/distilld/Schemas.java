package dev.lakehouse.distilld;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * The record contracts (docs/schemas, draft 2020-12; the jar carries a copy under {@code schemas/}) and a check of a
 * run against them with networknt's json-schema-validator — the audit's phase 1 and the invariant {@code schemas_valid}.
 */
final class Schemas {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    private Schemas() {
    }

    /** A schema by name ({@code evidence}, {@code sft_sample}, …). */
    static Schema get(String name) {
        return LOADED.computeIfAbsent(name, n -> {
            try (InputStream in = Schemas.class.getResourceAsStream("/schemas/" + n + ".schema.json")) {
                if (in == null) {
                    throw new IllegalStateException("the jar has no schema " + n + " (docs/schemas/" + n + ".schema.json)");
                }
                return REGISTRY.getSchema(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("schema " + n + " unreadable", e);
            }
        });
    }

    /** The errors of one record against a schema: "where: what", none when it conforms. */
    static List<String> errors(String schema, JsonNode node) {
        List<String> out = new ArrayList<>();
        for (com.networknt.schema.Error e : get(schema).validate(node)) {
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    /** Every line of every record file of the run, and the summary, against its schema; files checked in parallel. */
    static Map<String, RunView.Findings> check(RunView run) throws IOException {
        Map<String, RunView.Findings> out = new TreeMap<>();
        RunView.Findings summary = new RunView.Findings();
        errors("run_summary", run.summaryJson).forEach(e -> summary.add("summary.json " + e));
        out.put("summary.json", summary);
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            Map<String, Future<RunView.Findings>> futures = new TreeMap<>();
            for (Map.Entry<String, String> f : RunView.SCHEMAS.entrySet()) {
                if (run.has(f.getKey())) {
                    futures.put(f.getKey(), pool.submit(() -> file(run, f.getKey(), f.getValue())));
                }
            }
            for (Map.Entry<String, Future<RunView.Findings>> f : futures.entrySet()) {
                out.put(f.getKey(), f.getValue().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        return out;
    }

    private static RunView.Findings file(RunView run, String rel, String schema) throws IOException {
        RunView.Findings found = new RunView.Findings();
        if (rel.endsWith(".tsv")) {   // a qrel row as the object {"query-id","corpus-id","score"}
            run.qrels(rel, (c, line) -> {
                if (c.length != 3 || !c[2].matches("-?[0-9]{1,9}")) {
                    found.add(rel + " line " + line + ": not three tab-separated columns with an integer score");
                    return;
                }
                errors(schema, JsonNodeFactory.instance.objectNode().put("query-id", c[0]).put("corpus-id", c[1])
                        .put("score", Integer.parseInt(c[2]))).forEach(e -> found.add(rel + " line " + line + " " + e));
            });
            return found;
        }
        run.each(rel, (line, node) -> {
            if (node == null) {
                found.add(rel + " line " + line + ": not JSON");
            } else {
                errors(schema, node).forEach(e -> found.add(rel + " line " + line + " " + e));
            }
        });
        return found;
    }
}
