package dev.lakehouse.vectord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lakehouse.common.FieldError;

/** vectord's wire records. */
final class VectordWire {
    static final int MAX_POINTS = 10_000;
    static final int MAX_ID = 256;

    private VectordWire() {
    }

    /** {@code {"id":"W000001","vector":[…],"payload":{"role":"forklift operator"}}}; payload optional. */
    record PointIn(String id, float[] vector, JsonNode payload) {
        PointIn {
            FieldError.required(id, "id");
            FieldError.check(!id.isEmpty() && id.length() <= MAX_ID, "id", "must be 1-" + MAX_ID + " characters, got " + id.length());
            FieldError.required(vector, "vector");
            if (payload == null || payload.isNull()) {
                payload = JsonNodeFactory.instance.objectNode();
            }
            FieldError.check(payload.isObject(), "payload", "must be a JSON object");
        }
    }

    /** {@code {"points":[…]}}: 1 to 10,000 points. */
    record UpsertRequest(List<PointIn> points) {
        UpsertRequest {
            FieldError.required(points, "points");
            FieldError.check(!points.isEmpty(), "points", "must not be empty");
            if (points.size() > MAX_POINTS) {
                throw new FieldError("points", "batch_too_large", "at most " + MAX_POINTS + " points per request, got " + points.size());
            }
            for (int i = 0; i < points.size(); i++) {
                FieldError.check(points.get(i) != null, "points[" + i + "]", "must be an object");
            }
        }
    }

    /** {@code {"vector":[…],"k":10,"ef":100,"filter":{"role":"forklift operator","state":["OH","PA"]}}}. */
    record SearchRequest(float[] vector, Integer k, Integer ef, JsonNode filter) {
        SearchRequest {
            FieldError.required(vector, "vector");
            k = k == null ? 10 : k;
            FieldError.check(k >= 1 && k <= 1000, "k", "must be from 1 to 1000, got " + k);
            FieldError.check(ef == null || ef >= 1 && ef <= 5000, "ef", "must be from 1 to 5000");
            FieldError.check(ef == null || ef >= k, "ef", "must be at least k (" + k + ")");
            FieldError.check(filter == null || filter.isNull() || filter.isObject(), "filter",
                    "must be an object of payload fields, e.g. {\"role\":\"welder\"}");
        }

        Map<String, JsonNode> filterMap() {
            if (filter == null || filter.isNull()) {
                return null;
            }
            Map<String, JsonNode> m = new LinkedHashMap<>();
            filter.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
            return m;
        }
    }

    /** {@code {"hits":[{"id","score","distance","payload"}],"took_ms":1.2}}. */
    record SearchResponse(List<VectorIndex.Hit> hits, double tookMs) {
    }
}
