/*
 * The canonical encoding distilld writes every record in (CanonicalJson.bytes), against Jackson's own sorted writer
 * (WRITE_PROPERTIES_SORTED, which copies each object into a TreeMap) on the same trees in the same JVM, alternated:
 * time and bytes allocated per tree, and that both give the same bytes.
 *   java -cp "distillation/target/distillation.jar:distillation/target/libs/*" scripts/bench/CanonicalBench.java <observations.jsonl> [rounds=5]
 * (the observations: java scripts/bench/DistillBench.java <dir> 200000 42)
 */
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.lakehouse.common.Json;
import dev.lakehouse.distillation.CanonicalJson;

public class CanonicalBench {
    public static void main(String[] args) throws Exception {
        List<JsonNode> trees = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            try {
                trees.add(Json.mapper().readTree(line));
            } catch (Exception malformed) {
                // the generator's malformed lines: not trees
            }
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ObjectWriter sorted = Json.mapper().writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
        for (JsonNode t : trees) {
            if (!Arrays.equals(sorted.writeValueAsBytes(t), CanonicalJson.bytes(t))) {
                throw new AssertionError("different bytes for " + t);
            }
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        System.out.printf("%d trees; per tree: ns and bytes allocated%n", trees.size());
        for (int r = 0; r <= rounds; r++) {
            for (String which : List.of("jackson-sorted", "canonical")) {
                long sink = 0;
                long a0 = threads.getThreadAllocatedBytes(id);
                long t0 = System.nanoTime();
                for (JsonNode t : trees) {
                    sink += which.equals("canonical") ? CanonicalJson.bytes(t).length : sorted.writeValueAsBytes(t).length;
                }
                long ns = System.nanoTime() - t0;
                long bytes = threads.getThreadAllocatedBytes(id) - a0;
                if (r > 0) {   // round 0 warms both up
                    System.out.printf("round %d %-15s %7.0f ns %7.0f B  (%d)%n", r, which, (double) ns / trees.size(),
                            (double) bytes / trees.size(), sink);
                }
            }
        }
    }
}
