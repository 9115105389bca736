package dev.lakehouse.distilld;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.lakehouse.common.FieldError;

/** distilld's JSON shapes (docs/distilld.md). */
public final class DistilldWire {
    private DistilldWire() {
    }

    /**
     * {@code POST /v1/distill/runs}: {@code {"stages":["materialize","score","export-sft","export-rag","export-preference"],
     * "since":"2026-11-01T00:00:00Z","full":false}}; every part optional (all stages, after the watermark).
     */
    public record RunRequest(List<String> stages, String since, Boolean full) {
        public RunRequest {
            if (stages != null) {
                FieldError.check(!stages.isEmpty() && stages.size() <= 5, "stages", "must name 1 to 5 stages");
                for (int i = 0; i < stages.size(); i++) {
                    stage(stages.get(i), "stages[" + i + "]");
                }
            }
            FieldError.time(since, "since");
        }

        public Set<Pipeline.Stage> stageSet() {
            if (stages == null) {
                return Pipeline.Stage.ALL;
            }
            Set<Pipeline.Stage> out = EnumSet.of(Pipeline.Stage.MATERIALIZE);
            for (int i = 0; i < stages.size(); i++) {
                out.add(stage(stages.get(i), "stages[" + i + "]"));
            }
            if (out.stream().anyMatch(s -> s.name().startsWith("EXPORT"))) {
                out.add(Pipeline.Stage.SCORE);
            }
            return Set.copyOf(out);
        }

        static Pipeline.Stage stage(String name, String field) {
            FieldError.required(name, field);
            for (Pipeline.Stage s : Pipeline.Stage.values()) {
                if (s.toString().equals(name)) {
                    return s;
                }
            }
            throw new FieldError(field, "invalid_field", "'" + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
                    + "' is not a stage; one of materialize, score, export-sft, export-rag, export-preference");
        }
    }

    /** A run id named in a request: {@code run-…} or {@code cli-…}, else 404 (checked again against the disk). */
    static String runName(String run) {
        if (run != null && !run.matches("(run|cli)-[0-9A-Za-z-]{1,64}")) {
            throw new dev.lakehouse.common.ApiException.NotFound("run_not_found", "'" + abbreviate(run) + "' is not a distill run id");
        }
        return run;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static String target(String value, String field) {
        FieldError.check(value == null || value.matches("[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}"), field,
                "must be 1 to 128 of A-Z a-z 0-9 _ . : / - (a provider or a model, as chatd names them)");
        return value;
    }

    /**
     * {@code POST /v1/distill/replays}: {@code {"run":"run-…","classes":["fill_generation"],"since","until","sample":100,
     * "seed":1,"concurrency":4,"rate":10,"provider","model"}}; every part optional (the latest run, every replayable class,
     * 100 records, seed 1, 4 at a time, 10 a second, the provider each record names).
     */
    public record ReplayRequest(String run, List<String> classes, String since, String until, Integer sample, Long seed,
                                Integer concurrency, Double rate, String provider, String model) {
        public ReplayRequest {
            runName(run);
            if (classes != null) {
                FieldError.check(!classes.isEmpty() && classes.size() <= 8, "classes", "must name 1 to 8 classes");
                for (int i = 0; i < classes.size(); i++) {
                    replayable(classes.get(i), "classes[" + i + "]");
                }
            }
            java.time.Instant from = FieldError.time(since, "since");
            java.time.Instant to = FieldError.time(until, "until");
            FieldError.check(from == null || to == null || from.isBefore(to), "until", "must be after since");
            FieldError.check(sample == null || sample >= 1 && sample <= Replay.MAX_SAMPLE, "sample", "must be 1 to " + Replay.MAX_SAMPLE);
            FieldError.check(concurrency == null || concurrency >= 1 && concurrency <= 64, "concurrency", "must be 1 to 64");
            FieldError.check(rate == null || rate >= 0 && rate <= 10_000, "rate", "must be 0 (no limit) to 10000 calls a second");
            target(provider, "provider");
            target(model, "model");
        }

        public Replay.Options options() {
            List<Scored.SourceClass> cls = classes == null ? null : classes.stream().map(c -> replayable(c, "classes")).toList();
            return new Replay.Options(cls, FieldError.time(since, "since"), FieldError.time(until, "until"), sample == null ? 100 : sample,
                    seed == null ? 1 : seed, concurrency == null ? 4 : concurrency, rate == null ? 10 : rate, provider, model);
        }

        static Scored.SourceClass replayable(String name, String field) {
            FieldError.required(name, field);
            for (Scored.SourceClass c : Replay.REPLAYABLE) {
                if (c.toString().equals(name)) {
                    return c;
                }
            }
            throw new FieldError(field, "invalid_field", "'" + abbreviate(name) + "' is not a replayable class; one of chat_answer, "
                    + "fill_generation, email_drafting, retrieval_answer, fill_validation, email_validation");
        }
    }

    /**
     * {@code POST /v1/distill/audits}: {@code {"run":"run-…","phases":"0-6","replay_sample":20,"seed":1,"concurrency":4,
     * "provider","model"}}; every part optional (the latest run, every phase, 20 records replayed in phase 7).
     */
    public record AuditRequest(String run, String phases, Integer replaySample, Long seed, Integer concurrency, String provider,
                               String model) {
        public AuditRequest {
            runName(run);
            Audit.phases(phases);
            FieldError.check(replaySample == null || replaySample >= 0 && replaySample <= 10_000, "replay_sample", "must be 0 to 10000");
            FieldError.check(concurrency == null || concurrency >= 1 && concurrency <= 64, "concurrency", "must be 1 to 64");
            target(provider, "provider");
            target(model, "model");
        }

        public Audit.Options options() {
            return new Audit.Options(Audit.phases(phases), replaySample == null ? 20 : replaySample, seed == null ? 1 : seed,
                    concurrency == null ? 4 : concurrency, provider, model);
        }
    }
}
