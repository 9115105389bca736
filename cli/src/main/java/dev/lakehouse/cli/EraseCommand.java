package dev.lakehouse.cli;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.lakehouse.common.Json;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lakehouse erase W000123 [--reason …]}: erase a person from every daemon through the gateway's
 * {@code POST /v1/privacy/erasures} (docs/privacy.md, "Erasure"), then follow the job with a progress bar — one step a
 * daemon — and print what each daemon found and the verification scan. Exit 0 when the job is done and the scan clean,
 * 1 when it failed or found the person still somewhere, 2 when it was refused, 3 when {@code --timeout} passed first (the
 * job goes on: {@code --follow ID} takes it up again).
 */
@Command(name = "erase", description = "Erase a worker (or a set of identifiers) from every daemon, and prove it.")
final class EraseCommand extends LakehouseCli.Base {
    @Parameters(index = "0", arity = "0..1", description = "the worker id (W and six digits)")
    String worker;

    @Option(names = "--identifier", description = "a phone, e-mail or full name to erase too (repeatable); alone, without a worker")
    List<String> identifiers;

    @Option(names = "--reason", description = "why (kept in the report; write no personal data here)")
    String reason;

    @Option(names = "--follow", description = "follow an erasure job already started, by its id")
    String follow;

    @CommandLine.Mixin
    GatewayOption gateway;

    @Option(names = "--key", description = "an API key with the privacy scope (default: LAKEHOUSE_PRIVACY_KEY; none for an open gateway)")
    String key;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS", description = "how long to follow the job (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        URI base = gateway.url(stack);
        String id = follow;
        if (id == null) {
            if (worker == null && (identifiers == null || identifiers.isEmpty())) {
                err().println("name a worker (lakehouse erase W000123) or --identifier; see --help");
                return 2;
            }
            ObjectNode body = Json.mapper().createObjectNode();
            if (worker != null) {
                body.put("subject", "worker:" + worker);
            }
            if (identifiers != null) {
                identifiers.forEach(body.withArray("identifiers")::add);
            }
            if (reason != null) {
                body.put("reason", reason);
            }
            HttpResponse<String> r = send(request(base.resolve("/v1/privacy/erasures")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
            if (r.statusCode() != 202) {
                err().println("the gateway refused the erasure: " + r.statusCode() + " " + r.body());
                return 2;
            }
            JsonNode job = Json.mapper().readTree(r.body());
            id = job.path("id").asText();
            out().println((job.path("existing").asBoolean() ? "already under way: " : "erasure ") + id
                    + " (follow again with: lakehouse erase --follow " + id + ")");
        }
        JsonNode job = followJob(base, id);
        if (job == null) {
            err().println("still running after " + timeoutSeconds + " s; the job goes on: lakehouse erase --follow " + id);
            return 3;
        }
        print(job);
        return job.path("state").asText().equals("done") && job.path("proof").path("clean").asBoolean() ? 0 : 1;
    }

    private JsonNode followJob(URI base, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        JsonNode job = get(base, id);
        try (ProgressBar bar = CliProgress.bar("erase " + id, Math.max(1, job.path("steps").size())).setUnit(" daemons", 1).build()) {
            while (true) {
                int done = 0;
                List<String> waiting = new ArrayList<>();
                List<String> running = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = job.path("steps").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> s = it.next();
                    String state = s.getValue().path("state").asText();
                    if (state.equals("done") || state.equals("failed")) {
                        done++;
                    } else if (state.equals("waiting")) {
                        waiting.add(s.getKey());
                    } else if (state.equals("running")) {
                        running.add(s.getKey());
                    }
                }
                bar.maxHint(Math.max(1, job.path("steps").size()));
                bar.stepTo(done);
                bar.setExtraMessage((running.isEmpty() ? "" : " purging " + String.join(", ", running))
                        + (waiting.isEmpty() ? "" : " waiting for " + String.join(", ", waiting)));
                String state = job.path("state").asText();
                if (state.equals("done") || state.equals("failed")) {
                    return job;
                }
                if (System.nanoTime() > deadline) {
                    return null;
                }
                Thread.sleep(250);
                job = get(base, id);
            }
        }
    }

    private JsonNode get(URI base, String id) throws Exception {
        HttpResponse<String> r = send(request(base.resolve("/v1/privacy/erasures/" + id)).GET());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the gateway answered " + r.statusCode() + " for erasure " + id + ": " + r.body());
        }
        return Json.mapper().readTree(r.body());
    }

    private void print(JsonNode job) {
        out().printf("%-11s %-8s %9s  %s%n", "daemon", "state", "found", "scan (files, bytes, matches)");
        job.path("steps").fields().forEachRemaining(s -> {
            JsonNode r = s.getValue().path("result");
            long found = 0;
            for (String f : List.of("records_masked", "role_queries_forgotten", "points_removed", "versions_purged", "claims_removed",
                    "events_masked", "cache_entries_removed", "workers_removed", "entries_erased")) {
                found += r.path(f).asLong();
            }
            out().printf("%-11s %-8s %9d  %d, %d, %d%s%n", s.getKey(), s.getValue().path("state").asText(), found,
                    r.path("scan").path("files").asLong(), r.path("scan").path("bytes").asLong(), r.path("scan").path("matches").asLong(),
                    s.getValue().has("last_error") ? "  " + s.getValue().path("last_error").asText() : "");
        });
        JsonNode p = job.path("proof");
        out().printf("%s: found %d records; verification scan of %d files (%d bytes) in %d ms: %d matches — %s%n", job.path("state").asText(),
                p.path("found").asLong(), p.path("files_scanned").asLong(), p.path("bytes_scanned").asLong(), p.path("scan_ms").asLong(),
                p.path("matches").asLong(), p.path("clean").asBoolean() ? "clean" : "NOT clean");
        p.path("files_with_matches").forEach(f -> out().println("  still found in " + f.asText()));
        if (job.hasNonNull("note")) {
            out().println(job.path("note").asText());
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        String k = key != null ? key : stack.env().get("LAKEHOUSE_PRIVACY_KEY").orElse(null);
        if (k != null && !k.isBlank()) {
            b.header("Authorization", "Bearer " + k);
        }
        return b;
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return CliHttp.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
