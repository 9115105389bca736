package dev.lakehouse.embedd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * embedd's API:
 * <pre>
 * POST /v1/embed       {"model":"all-minilm-l6-v2","input":"text"|["t1","t2"]} → {"model","provider","dims","embeddings","cache_hits"}
 * POST /v1/embeddings  OpenAI-compatible request and response (float or base64)
 * POST /v1/embed/erasures {"erasure_id","identifiers":[…]} → {"erasure_id","cache_entries_removed"}: cached texts naming a person
 * GET  /v1/models      OpenAI model list, with provider (owned_by) and dims
 * </pre>
 * {@code curl -s localhost:4216/v1/embed -H 'Content-Type: application/json' -d '{"input":["forklift operator"]}'}
 */
record EmbeddRoutes(Embedder embedder) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.POST, "/embed", this::embed);
        Routes.only(rules, Method.POST, "/embeddings", this::openAi);
        Routes.only(rules, Method.GET, "/models", this::models);
    }

    private void embed(ServerRequest req, ServerResponse res) {
        EmbeddWire.EmbedRequest body = Json.read(req, EmbeddWire.EmbedRequest.class);
        List<String> inputs = body.inputs();
        Embedder.Result r = embedder.embed(body.model(), inputs);
        List<RawValue> vectors = new ArrayList<>(r.vectors().size());
        r.vectors().forEach(v -> vectors.add(v.json()));
        Json.send(res, 200, new EmbeddWire.EmbedResponse(r.model(), r.provider(), r.dims(), vectors, r.cacheHits()));
    }

    private void openAi(ServerRequest req, ServerResponse res) {
        EmbeddWire.OpenAiRequest body = Json.read(req, EmbeddWire.OpenAiRequest.class);
        List<String> inputs = body.inputs();
        Embedder.Result r = embedder.embed(body.model(), inputs);
        if (body.dimensions() != null && body.dimensions() != r.dims()) {
            throw new ApiException.BadRequest("invalid_field", "dimensions: " + r.model() + " produces " + r.dims()
                    + " dimensions; other sizes are not supported");
        }
        boolean base64 = "base64".equals(body.encodingFormat());
        List<EmbeddWire.OpenAiEmbedding> data = new ArrayList<>(inputs.size());
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            CachedVector v = r.vectors().get(i);
            data.add(new EmbeddWire.OpenAiEmbedding("embedding", i, base64 ? base64(v.vector()) : v.json()));
            tokens += (inputs.get(i).length() + 3) / 4;
        }
        Json.send(res, 200, new EmbeddWire.OpenAiResponse("list", data, r.model(), new EmbeddWire.Usage(tokens, tokens)));
    }

    private void models(ServerRequest req, ServerResponse res) {
        List<EmbeddWire.ModelInfo> data = new ArrayList<>();
        for (Map.Entry<String, Integer> m : new TreeMap<>(embedder.knownModels()).entrySet()) {
            data.add(new EmbeddWire.ModelInfo(m.getKey(), "model", 0, embedder.providerFor(m.getKey()).name(), m.getValue()));
        }
        Json.send(res, 200, new EmbeddWire.ModelList("list", data));
    }

    static String base64(float[] vector) {
        ByteBuffer buf = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : vector) {
            buf.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(buf.array());
    }
}
