package dev.lakehouse.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lakehouse.common.DaemonId;
import dev.lakehouse.common.Json;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lakehouse matrix ingest FILE.jsonl --corpus NAME}: documents into a matrixd corpus, with a progress bar (docs/matrixd.md). */
@Command(name = "matrix", description = "matrixd's corpora.", subcommands = {MatrixCommand.IngestFile.class})
final class MatrixCommand extends LakehouseCli.Group {
    @Command(name = "ingest", description = "Send a JSON-lines file of documents ({\"id\",\"text\",\"metadata\"} per line) "
            + "to a corpus, in batches, and follow the jobs to the end.")
    static final class IngestFile extends LakehouseCli.Base {

        @Parameters(index = "0", description = "the JSON-lines file")
        Path file;

        @Option(names = "--corpus", required = true, description = "a registered corpus")
        String corpus;

        @Option(names = "--batch", defaultValue = "200", description = "documents per request, 1 to 1000 (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--url", description = "matrixd's URL (default: LAKEHOUSE_MATRIXD_URL, else this machine's port)")
        URI url;

        @Override
        public Integer call() throws Exception {
            if (batch < 1 || batch > 1_000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be from 1 to 1000, not " + batch);
            }
            List<JsonNode> documents = read(file);   // every line checked before anything is sent
            URI base = url != null ? url : stack.env().url("LAKEHOUSE_MATRIXD_URL", stack.url(DaemonId.MATRIXD));
            long t0 = System.nanoTime();
            int chunks = 0;
            int failures = 0;
            List<String> errors = new ArrayList<>();
            try (ProgressBar bar = CliProgress.bar("ingest " + corpus, documents.size()).setUnit(" docs", 1).build()) {
                for (int from = 0; from < documents.size(); from += batch) {
                    ArrayNode docs = Json.mapper().createArrayNode();
                    documents.subList(from, Math.min(documents.size(), from + batch)).forEach(docs::add);
                    HttpResponse<String> sent = post(base, "/v1/matrix/corpora/" + corpus + "/documents",
                            Json.mapper().createObjectNode().set("documents", docs).toString());
                    if (sent.statusCode() != 202) {
                        err().println("matrixd refused documents " + (from + 1) + "-" + (from + docs.size()) + ": "
                                + sent.statusCode() + " " + sent.body());
                        return 1;
                    }
                    long before = bar.getCurrent();
                    JsonNode job = follow(base, Json.mapper().readTree(sent.body()).path("job_id").asText(), done -> bar.stepTo(before + done));
                    chunks += job.path("chunks").asInt();
                    failures += job.path("failures").asInt();
                    job.path("errors").forEach(e -> errors.add(e.asText()));
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            out().printf("ingested %d documents into %s: %d chunks, %d failed, in %.1f s (%.0f docs/s)%n", documents.size(), corpus,
                    chunks, failures, s, documents.size() / Math.max(s, 1e-9));
            errors.stream().limit(20).forEach(e -> out().println("  failed: " + e));
            return failures == 0 ? 0 : 1;
        }

        /** Every line a JSON object; the first that is not stops with its line number. */
        List<JsonNode> read(Path path) throws IOException {
            List<JsonNode> out = new ArrayList<>();
            int n = 0;
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode doc;
                try {
                    doc = Json.mapper().readTree(line);
                } catch (IOException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), path + " line " + n + " is not JSON: "
                            + e.getMessage().lines().findFirst().orElse(""));
                }
                if (!doc.isObject() || !doc.path("id").isTextual() || !doc.path("text").isTextual()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), path + " line " + n
                            + " is not a document {\"id\":\"…\",\"text\":\"…\",\"metadata\":{…}}");
                }
                out.add(doc);
            }
            if (out.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), path + " holds no documents");
            }
            return out;
        }

        private JsonNode follow(URI base, String job, java.util.function.IntConsumer progress) throws Exception {
            while (true) {
                HttpResponse<String> r = CliHttp.client().send(request(base.resolve("/v1/matrix/jobs/" + job))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode j = Json.mapper().readTree(r.body());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("matrixd lost job " + job + ": " + r.statusCode() + " " + r.body());
                }
                progress.accept(j.path("documents_done").asInt());
                String state = j.path("state").asText();
                if (state.equals("done") || state.equals("failed")) {
                    return j;
                }
                Thread.sleep(100);
            }
        }

        /** A request to matrixd: with the stack's internal token when it goes to the stack's own (no --url). */
        private HttpRequest.Builder request(URI uri) {
            return url == null ? stack.toDaemon(uri) : HttpRequest.newBuilder(uri);
        }

        private HttpResponse<String> post(URI base, String path, String body) throws Exception {
            return CliHttp.client().send(request(base.resolve(path)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
