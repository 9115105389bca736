package dev.lakehouse.vectord;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.jelmerk.hnswlib.core.Item;

/** A point as the index holds it: id, vector (unit length under cosine), payload, and a version for hnswlib. */
record StoredPoint(String id, float[] vector, JsonNode payload, long version) implements Item<String, float[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public int dimensions() {
        return vector.length;
    }
}
