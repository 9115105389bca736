package dev.lakehouse.vectord;

import java.util.Map;

import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * vectord's API, under {@code /v1/indexes}:
 * <pre>
 * GET    /                     all indexes
 * PUT    /{name}               {"dims":384,"metric":"cosine","m":16,"ef_construction":200} → 201 new | 200 same | 409 other
 * GET    /{name}               parameters, count, memory estimate, WAL bytes, last snapshot
 * DELETE /{name}               → 204
 * POST   /{name}/points        {"points":[{"id","vector","payload"}]} → {"upserted":n}
 * GET    /{name}/points/{id}   DELETE /{name}/points/{id} → 204
 * POST   /{name}/search        {"vector","k","ef","filter"} → {"hits":[…],"took_ms"}
 * POST   /{name}/snapshot      → the new manifest
 * </pre>
 * {@code curl -s -XPUT localhost:4217/v1/indexes/jobs -H 'Content-Type: application/json' -d '{"dims":384,"metric":"cosine"}'}
 */
record VectordRoutes(IndexRegistry registry) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.GET, "/", (req, res) -> Json.send(res, 200, Map.of("indexes", registry.list())));
        rules.put("/{name}", this::create);
        rules.get("/{name}", (req, res) -> Json.send(res, 200, registry.describe(name(req))));
        rules.delete("/{name}", (req, res) -> {
            registry.drop(name(req));
            res.status(204).send();
        });
        Routes.allow(rules, "/{name}", Method.GET, Method.PUT, Method.DELETE);
        Routes.only(rules, Method.POST, "/{name}/points", this::upsert);
        rules.get("/{name}/points/{id}", this::getPoint);
        rules.delete("/{name}/points/{id}", this::deletePoint);
        Routes.allow(rules, "/{name}/points/{id}", Method.GET, Method.DELETE);
        Routes.only(rules, Method.POST, "/{name}/search", this::search);
        Routes.only(rules, Method.POST, "/{name}/snapshot", (req, res) -> Json.send(res, 200, registry.snapshot(name(req))));
    }

    private static String name(ServerRequest req) {
        return IndexParams.checkName(req.path().pathParameters().get("name"));
    }

    private void create(ServerRequest req, ServerResponse res) {
        String name = name(req);
        IndexParams params = Json.read(req, IndexParams.class);
        int status = switch (registry.create(name, params)) {
            case NEW -> 201;
            case SAME -> 200;
        };
        Json.send(res, status, registry.describe(name));
    }

    private void upsert(ServerRequest req, ServerResponse res) {
        String name = name(req);
        registry.index(name);   // 404 for a missing index before the body is read
        VectordWire.UpsertRequest body = Json.read(req, VectordWire.UpsertRequest.class);
        Json.send(res, 200, Map.of("upserted", registry.upsert(name, body.points())));
    }

    private void getPoint(ServerRequest req, ServerResponse res) {
        String name = name(req);
        String id = req.path().pathParameters().get("id");
        StoredPoint p = registry.index(name).get(id).orElseThrow(() -> VectorIndex.notFound(name, id));
        Json.send(res, 200, Map.of("id", p.id(), "vector", p.vector(), "payload", p.payload()));
    }

    private void deletePoint(ServerRequest req, ServerResponse res) {
        registry.deletePoint(name(req), req.path().pathParameters().get("id"));
        res.status(204).send();
    }

    private void search(ServerRequest req, ServerResponse res) {
        String name = name(req);
        registry.index(name);   // 404 for a missing index before the body is read
        VectordWire.SearchRequest body = Json.read(req, VectordWire.SearchRequest.class);
        IndexRegistry.SearchResult result = registry.search(name, body);
        Json.send(res, 200, new VectordWire.SearchResponse(result.hits(), result.tookMs()));
    }
}
