package dev.lakehouse.distillation.distilld;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.lakehouse.common.FieldError;

/** distilld's JSON shapes (docs/distilld.md). */
public final class DistillWire {
    private DistillWire() {
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
}
