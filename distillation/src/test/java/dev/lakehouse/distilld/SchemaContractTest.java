package dev.lakehouse.distilld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record the pipeline writes, from the fixtures of {@link PipelineTest}, validates against its JSON Schema in
 * docs/schemas (with networknt's validator, draft 2020-12); and the schemas are not vacuous: a broken record fails.
 */
class SchemaContractTest {
    static final Path SCHEMAS = Path.of("..", "docs", "schemas");
    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    static final Map<String, String> FILES = Map.ofEntries(
            Map.entry("evidence.jsonl", "evidence"), Map.entry("quarantine.jsonl", "quarantine"), Map.entry("scored.jsonl", "scored"),
            Map.entry("sft/trl.jsonl", "sft_sample"), Map.entry("sft/openai.jsonl", "sft_sample_openai"),
            Map.entry("rag/corpus.jsonl", "rag_corpus"), Map.entry("rag/queries.jsonl", "rag_query"), Map.entry("rag/chunks.jsonl", "rag_chunk"),
            Map.entry("preference/trl.jsonl", "preference_pair"), Map.entry("preference/openai.jsonl", "preference_pair_openai"));

    @TempDir
    Path dir;

    static Schema schema(String name) throws IOException {
        return REGISTRY.getSchema(Files.readString(SCHEMAS.resolve(name + ".schema.json")));
    }

    static List<String> errors(Schema s, JsonNode node) {
        List<String> out = new ArrayList<>();
        for (Error e : s.validate(node)) {
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    @Test
    void everyRecordOfEveryOutput_validatesAgainstItsSchema() throws Exception {
        Path obs = PipelineTest.fixtures(dir);
        Path run = dir.resolve("run");
        JsonNode summary = Json.mapper().valueToTree(Pipeline.run(new Pipeline.Options(obs, run, dir.resolve("wm.json"), Pipeline.Stage.ALL, null, true, 2,
                Set.of(), null), (a, b, c) -> { }));
        assertThat(errors(schema("run_summary"), summary)).isEmpty();
        int checked = 0;
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            Schema s = schema(f.getValue());
            for (String line : Files.readAllLines(run.resolve(f.getKey()))) {
                assertThat(errors(s, Json.mapper().readTree(line))).as(f.getKey() + ": " + line).isEmpty();
                checked++;
            }
        }
        Schema qrel = schema("rag_qrel");
        List<String> rows = new java.util.ArrayList<>(Files.readAllLines(run.resolve("rag/qrels/train.tsv")));
        List<String> test = Files.readAllLines(run.resolve("rag/qrels/test.tsv"));
        rows.addAll(test.subList(1, test.size()));
        assertThat(rows).hasSizeGreaterThan(1);
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split("\t");
            assertThat(c).hasSize(3);
            assertThat(errors(qrel, JsonNodeFactory.instance.objectNode().put("query-id", c[0]).put("corpus-id", c[1])
                    .put("score", Integer.parseInt(c[2])))).isEmpty();
        }
        Schema observation = schema("observation");
        int valid = 0;
        for (JsonNode e : PipelineTest.lines(run.resolve("evidence.jsonl"))) {
            valid += e.path("event_ids").size();
        }
        assertThat(checked).isGreaterThan(20);
        assertThat(valid).isPositive();
        assertThat(errors(observation, Json.mapper().readTree("{\"event_id\":\"e1\",\"ts\":\"2026-11-30T10:00:01Z\",\"kind\":\"chat.call\","
                + "\"payload\":{}}"))).isEmpty();
    }

    @Test
    void theSchemasAreNotVacuous_aBrokenRecordFails() throws Exception {
        assertThat(errors(schema("sft_sample_openai"), Json.mapper().readTree("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"metadata\":{}}"))).isNotEmpty();
        assertThat(errors(schema("scored"), Json.mapper().readTree("{\"evidence_id\":\"x\",\"type\":\"chat\",\"category\":\"great\","
                + "\"class\":\"chat_answer\",\"reasons\":[],\"never_sft\":false}"))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(errors(schema("preference_pair"), Json.mapper().readTree("{\"prompt\":[],\"chosen\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"rejected\":[]}"))).isNotEmpty();
        assertThat(errors(schema("observation"), Json.mapper().readTree("{\"event_id\":\"\",\"kind\":\"Chat\"}"))).isNotEmpty();
    }
}
