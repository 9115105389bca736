package dev.lakehouse.vectord;

import java.util.regex.Pattern;

import dev.lakehouse.common.FieldError;

/**
 * {@code PUT /v1/indexes/{name}} body and an index's fixed parameters:
 * {@code {"dims":384,"metric":"cosine","m":16,"ef_construction":200}} ({@code m} and
 * {@code ef_construction} optional; {@code ef} the default search breadth, optional).
 */
public record IndexParams(Integer dims, Metric metric, Integer m, Integer efConstruction, Integer ef, Gate gate) {
    static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");

    /**
     * Who may read the index through matrixd: {@code none} (default), or {@code role} — every corpus that names the
     * index is role-gated, whatever its registration says (docs/matrixd.md). Set at creation; part of its shape.
     */
    public enum Gate {
        @com.fasterxml.jackson.annotation.JsonProperty("none") NONE,
        @com.fasterxml.jackson.annotation.JsonProperty("role") ROLE;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public IndexParams(Integer dims, Metric metric, Integer m, Integer efConstruction, Integer ef) {
        this(dims, metric, m, efConstruction, ef, Gate.NONE);
    }

    public IndexParams {
        gate = gate == null ? Gate.NONE : gate;
        FieldError.required(dims, "dims");
        FieldError.check(dims >= 1 && dims <= 4096, "dims", "must be from 1 to 4096, got " + dims);
        FieldError.required(metric, "metric");
        m = m == null ? 16 : m;
        FieldError.check(m >= 2 && m <= 100, "m", "must be from 2 to 100, got " + m);
        efConstruction = efConstruction == null ? 200 : efConstruction;
        FieldError.check(efConstruction >= 10 && efConstruction <= 2000, "ef_construction", "must be from 10 to 2000");
        ef = ef == null ? 100 : ef;
        FieldError.check(ef >= 1 && ef <= 5000, "ef", "must be from 1 to 5000");
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new FieldError("name", "invalid_name", "an index name is 1-64 of a-z 0-9 _ -, got '" + name + "'");
        }
        if (name.equals("erasures")) {   // POST /v1/indexes/erasures is vectord's erasure route
            throw new FieldError("name", "invalid_name", "'erasures' is reserved");
        }
        return name;
    }

    /** Same index, as far as PUT is concerned: the parameters that shape it. */
    boolean sameShape(IndexParams other) {
        return dims.equals(other.dims) && metric == other.metric && m.equals(other.m)
                && efConstruction.equals(other.efConstruction) && gate == other.gate;
    }
}
