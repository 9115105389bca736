package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RAG labels that mean something: used passages are 1, retrieved-but-unused 0, a held-out split, files BEIR's loader loads. */
class RagLabelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "As [2] says, the night shift starts at 10.|2|Night shift starts at 10 pm in Columbus.|true",
        "See passage 3 for the address.|3|Warehouse at 12 Main St.|true",
        "The Columbus warehouse has a night forklift shift.|1|Night forklift shift at the Columbus warehouse, 10 pm to 6 am, 19.50/hr.|true",
        "Job 1, a night forklift job.|1|Night forklift job in Columbus|true",
        "As [1] says, it starts at 10.|2|Night shift starts at 10 pm in Columbus.|false",
        "The day shift is full.|1|Night forklift shift at the Columbus warehouse, 10 pm to 6 am, 19.50/hr.|false",
        "Forklift work is available.|1|Night forklift shift at the Columbus warehouse, 10 pm to 6 am, 19.50/hr.|false",
        "passage 12 is the one|1|anything at all here|false",
        "|1|Night shift|false"})
    void used_citationOrASharedRunOfWords(String answer, int position, String passage, boolean used) {
        assertThat(RagLabels.used(answer, position, passage)).isEqualTo(used);
    }

    @Test
    void split_theFirstQueryIsHeldOut_andTheRestByTheirId() {
        assertThat(RagLabels.split("ff00", true)).isEqualTo("test");
        assertThat(RagLabels.split("00ab", false)).isEqualTo("test");   // 0x00 % 5 == 0
        assertThat(RagLabels.split("01ab", false)).isEqualTo("train");
        assertThat(RagLabels.split("x", false)).isIn("test", "train");
    }

    /**
     * A loader that does what BEIR's {@code GenericDataLoader.load(split)} does (beir/datasets/data_loader.py): the corpus,
     * queries and {@code qrels/<split>.tsv} must exist ("File … not present!"); it logs the first document, so an empty
     * corpus fails; qrels skip their header and parse an int score; queries are those the qrels name, and it logs the
     * first of them, so a split without rows fails.
     */
    record Beir(Map<String, JsonNode> corpus, Map<String, String> queries, Map<String, Map<String, Integer>> qrels) {
        static Beir load(Path folder, String split) throws IOException {
            Path corpusFile = folder.resolve("corpus.jsonl");
            Path queryFile = folder.resolve("queries.jsonl");
            Path qrelsFile = folder.resolve("qrels").resolve(split + ".tsv");
            for (Path f : List.of(corpusFile, queryFile, qrelsFile)) {
                if (!Files.exists(f)) {
                    throw new IllegalArgumentException("File " + f + " not present! Please provide accurate file.");
                }
            }
            Map<String, JsonNode> corpus = new LinkedHashMap<>();
            for (String line : Files.readAllLines(corpusFile)) {
                JsonNode d = Json.mapper().readTree(line);
                corpus.put(d.path("_id").asText(), d);
            }
            corpus.values().iterator().next();   // "Doc Example": NoSuchElement as BEIR's IndexError
            Map<String, String> queries = new LinkedHashMap<>();
            for (String line : Files.readAllLines(queryFile)) {
                JsonNode q = Json.mapper().readTree(line);
                queries.put(q.path("_id").asText(), q.path("text").asText());
            }
            Map<String, Map<String, Integer>> qrels = new HashMap<>();
            try (BufferedReader r = Files.newBufferedReader(qrelsFile)) {
                r.readLine();
                for (String row = r.readLine(); row != null; row = r.readLine()) {
                    String[] c = row.split("\t");
                    qrels.computeIfAbsent(c[0], k -> new HashMap<>()).put(c[1], Integer.parseInt(c[2]));
                }
            }
            Map<String, String> named = new LinkedHashMap<>();
            qrels.keySet().forEach(q -> named.put(q, queries.get(q)));
            named.values().iterator().next();   // "Query Example"
            return new Beir(corpus, named, qrels);
        }
    }

    @Test
    void aRunsRagFiles_loadAsBeirsLoaderDoes_theTestSplitByDefault_andAnEmptyRunWritesNone() throws Exception {
        Path obs = PipelineTest.fixtures(dir);
        JsonNode summary = Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, dir.resolve("r"), dir.resolve("wm.json"), Pipeline.Stage.ALL, null, true, 1,
                Set.of(), null), (a, b, c) -> { }));
        Beir test = Beir.load(dir.resolve("r/rag"), "test");
        assertThat(test.queries()).hasSize(1);
        assertThat(test.qrels().values().iterator().next().values()).containsExactly(1);
        assertThat(summary.path("stages").path("export").path("rag").path("queries").asLong()).isEqualTo(1);

        Path empty = Files.createDirectories(dir.resolve("empty-obs"));
        Files.writeString(empty.resolve("2026-11-30.jsonl"), PipelineTest.event("c1", "2026-11-30T10:00:00Z", "chat.call", null,
                PipelineTest.chat("Hi", "Hello")) + "\n");
        JsonNode none = Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(empty, dir.resolve("e"), dir.resolve("wm2.json"), Pipeline.Stage.ALL, null, true, 1,
                Set.of(), null), (a, b, c) -> { }));
        assertThat(dir.resolve("e/rag")).doesNotExist();
        assertThat(none.path("stages").path("export").path("rag").path("written").asBoolean(true)).isFalse();
        assertThat(none.path("stages").path("export").path("files").has("rag/corpus.jsonl")).isFalse();
        assertThatThrownBy(() -> Beir.load(dir.resolve("e/rag"), "test")).hasMessageContaining("not present");
        for (Acceptance.Outcome o : Acceptance.run(new RunView(dir.resolve("e"), dir.resolve("work")), null)) {
            assertThat(o.passed()).as(o.name() + ": " + o.examples()).isTrue();
        }
    }
}
