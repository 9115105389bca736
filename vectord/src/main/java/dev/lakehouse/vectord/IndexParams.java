package dev.lakehouse.vectord;

import java.util.regex.Pattern;

import dev.lakehouse.common.FieldError;

/**
 * {@code PUT /v1/indexes/{name}} body and an index's fixed parameters:
 * {@code {"dims":384,"metric":"cosine","m":16,"ef_construction":200}} ({@code m} and
 * {@code ef_construction} optional; {@code ef} the default search breadth, optional).
 */
public record IndexParams(Integer dims, Metric metric, Integer m, Integer efConstruction, Integer ef) {
    static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");

    public IndexParams {
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
        return name;
    }

    /** Same index, as far as PUT is concerned: the parameters that shape it. */
    boolean sameShape(IndexParams other) {
        return dims.equals(other.dims) && metric == other.metric && m.equals(other.m)
                && efConstruction.equals(other.efConstruction);
    }
}
