/*
 * Driver for scripts/bench/distill.sh (a single-file program; no class path needed):
 *   DistillBench <dir> <observations> <seed>
 * Writes <observations> realistic observerd events as day files in <dir>: chat calls (40%), iterate runs of one to
 * three attempts (fills and e-mails, some leaking an SSN or another worker's phone before being corrected; each says
 * whether it is its run's last, as validatord's do), validations,
 * retrievals followed by the chat call that used them, truth resolutions, and about 3% malformed lines (bad JSON,
 * unknown kinds, orphan attempts, missing fields) and 2% duplicates. Deterministic for a seed.
 */
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

public class DistillBench {
    static long id;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        Random rng = new Random(Long.parseLong(args[2]));
        Files.createDirectories(dir);
        long written = 0;
        int day = 1;
        while (written < n) {
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(String.format("2026-11-%02d.jsonl", day)), StandardCharsets.UTF_8)) {
                for (long i = 0; i < 250_000 && written < n; ) {
                    String ts = String.format("2026-11-%02dT%02d:%02d:%02dZ", day, (i / 10_000) % 24, (i / 100) % 60, i % 60);
                    int k = rng.nextInt(100);
                    String[] lines;
                    if (k < 40) {
                        lines = new String[] {chat(ts, "r" + id, rng)};
                    } else if (k < 60) {
                        lines = iterate(ts, rng);
                    } else if (k < 75) {
                        lines = new String[] {validate(ts, rng)};
                    } else if (k < 85) {
                        String req = "q" + id;
                        lines = new String[] {retrieve(ts, req, rng), chat(ts, req, rng)};
                    } else if (k < 92) {
                        lines = new String[] {truth(ts, rng)};
                    } else if (k < 95) {
                        lines = new String[] {malformed(ts, rng)};
                    } else if (k < 97) {
                        String c = chat(ts, "dup", rng);
                        lines = new String[] {c, c.replaceFirst("\"event_id\":\"e[0-9]+\"", "\"event_id\":\"e" + (++id) + "\"")};
                    } else {
                        lines = new String[] {chat(ts, "r" + id, rng).replace("Thanks", "My SSN is 123-45-6789, thanks")};
                    }
                    for (String l : lines) {
                        w.write(l);
                        w.write('\n');
                    }
                    i += lines.length;
                    written += lines.length;
                }
            }
            day++;
        }
        System.out.println("wrote " + written + " observations in " + (day - 1) + " day files to " + dir);
    }

    static String event(String ts, String kind, String req, String payload) {
        return "{\"event_id\":\"e" + (++id) + "\",\"ts\":\"" + ts + "\",\"kind\":\"" + kind + "\",\"daemon\":\"bench\""
                + (req == null ? "" : ",\"request_id\":\"" + req + "\"") + ",\"payload\":" + payload + ",\"received_at\":\"" + ts + "\"}";
    }

    static String chat(String ts, String req, Random rng) {
        int w = rng.nextInt(100_000);
        return event(ts, "chat.call", req, "{\"api\":\"lakehouse\",\"status\":200,\"provider\":\"ollama\",\"model\":\"qwen2.5:7b\","
                + "\"messages\":[{\"role\":\"system\",\"content\":\"You help a staffing agency.\"},{\"role\":\"user\",\"content\":"
                + "\"Which shift suits worker W" + w + " near Columbus? Thanks\"}],\"output\":\"Worker W" + w + " fits the night shift "
                + (rng.nextInt(3) + 1) + " at the Columbus warehouse.\",\"finish_reason\":\"stop\",\"latency_ms\":" + rng.nextInt(900) + "}");
    }

    static String[] iterate(String ts, Random rng) {
        String run = "it" + id;
        boolean mail = rng.nextBoolean();
        int attempts = 1 + rng.nextInt(3);
        String[] out = new String[attempts];
        for (int a = 1; a <= attempts; a++) {
            boolean valid = a == attempts && rng.nextInt(10) > 0;
            String output = mail ? (valid ? "{\\\"subject\\\":\\\"Monday\\\",\\\"body\\\":\\\"Hi Ana, your shift starts Monday at 7.\\\"}"
                    : "{\\\"subject\\\":\\\"Shift\\\",\\\"body\\\":\\\"Hi Ana, call Bo at (937) 555-" + (1000 + rng.nextInt(9000))
                    + " or SSN 123-45-6789.\\\"}") : (valid ? "{\\\"worker_ids\\\":[\\\"W000010\\\"]}" : "{\\\"worker_ids\\\":[\\\"W999999\\\"]}");
            String violations = valid ? "[]" : mail ? "[{\"rule\":\"other_worker_contact\",\"severity\":\"error\",\"path\":\"body\",\"message\":\"x\"}]"
                    : "[{\"rule\":\"phantom_worker\",\"severity\":\"error\",\"path\":\"worker_ids[0]\",\"message\":\"no such worker\"}]";
            out[a - 1] = event(ts, "iterate.attempt", null, "{\"iteration_id\":\"" + run + "\",\"n\":" + a + ",\"kind\":\""
                    + (mail ? "email" : "fill") + "\",\"instruction\":\"Staff order O-" + id + "\",\"context\":{\"order\":{\"order_id\":\"O-"
                    + id + "\"}},\"prompt\":[{\"role\":\"system\",\"content\":\"You staff orders.\"},{\"role\":\"user\",\"content\":"
                    + "\"Staff order O-" + id + "\"}],\"output\":\"" + output + "\",\"violations\":" + violations + ",\"valid\":" + valid
                    + ",\"last\":" + (a == attempts) + ",\"provider\":\"ollama\",\"model\":\"qwen2.5:7b\"}");
        }
        return out;
    }

    static String validate(String ts, Random rng) {
        boolean valid = rng.nextBoolean();
        return event(ts, "validate", null, "{\"kind\":\"fill\",\"valid\":" + valid + ",\"artifact\":{\"order\":{\"order_id\":\"O-" + id
                + "\"},\"worker_ids\":[\"W" + rng.nextInt(100_000) + "\"]},\"violations\":" + (valid ? "[]"
                : "[{\"rule\":\"outside_radius\",\"severity\":\"error\",\"path\":\"worker_ids[0]\",\"message\":\"42 miles away\"}]")
                + ",\"took_ms\":0.05}");
    }

    static String retrieve(String ts, String req, Random rng) {
        int j = rng.nextInt(20_000);
        return event(ts, "retrieve", req, "{\"query\":\"night forklift in Columbus\",\"query_role\":\"forklift operator\","
                + "\"corpora\":[\"jobs\"],\"hits\":[{\"corpus\":\"jobs\",\"id\":\"job-" + j + "~0\",\"doc_id\":\"job-" + j
                + "\",\"score\":0.016,\"raw_score\":0.81,\"text\":\"Job " + j + ": forklift operator, night shift, Columbus.\"}]}");
    }

    static String truth(String ts, Random rng) {
        int w = rng.nextInt(100_000);
        return event(ts, "truth.resolve", null, "{\"subject\":\"worker:W" + w + "\",\"field\":\"phone\",\"from\":null,\"to\":\"614555"
                + (1000 + w % 9000) + "\",\"value\":\"614-555-" + (1000 + w % 9000) + "\",\"source\":\"crm\",\"rule\":\"priority\","
                + "\"claims\":[{\"source\":\"crm\",\"value\":\"614-555-" + (1000 + w % 9000) + "\",\"rank\":\"normal\","
                + "\"observed_at\":\"2026-10-01T00:00:00Z\"}]}");
    }

    static String malformed(String ts, Random rng) {
        return switch (rng.nextInt(4)) {
            case 0 -> "{\"event_id\":\"e" + (++id) + "\",\"ts\":";
            case 1 -> event(ts, "bench.unknown", null, "{}");
            case 2 -> event(ts, "iterate.attempt", null, "{\"iteration_id\":\"orphan" + id + "\",\"n\":2,\"valid\":true}");
            default -> "{\"event_id\":\"e" + (++id) + "\",\"kind\":\"validate\",\"payload\":{}}";
        };
    }
}
