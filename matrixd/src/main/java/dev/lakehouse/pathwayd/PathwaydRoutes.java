package dev.lakehouse.pathwayd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import dev.lakehouse.pathwayd.store.VersionLog;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * pathwayd's API, under {@code /v1/memory}:
 * <pre>
 * POST   /                  {"text","kind","role","scope","user","metadata","playbook","valid_from","valid_to","supersedes","id"}
 *                           → 201 {"memory":{…version…},"superseded":[…],"indexed":true}
 * GET    /{id}?as_of=T      the version current at system time T (default now); 404 unknown, 410 deleted
 * PUT    /{id}              {"text",…,"expected_version"} → 200 {"memory":{…new version…},"indexed"}; 409 when deleted
 * DELETE /{id}              → 200 {"memory":{…tombstone…}}: a tombstone version; the history stays
 * GET    /{id}/history      {"id","versions":[…],"supersedes":[…],"superseded_by":[…]}
 * POST   /search            {"query","k","filter":{"role","scope","user","kind"},"as_of","valid_at"}
 *                           → {"hits":[{"id","version","score","memory"}],"as_of","valid_at","index","pending","took_ms"}
 * </pre>
 * {@code curl -s localhost:4222/v1/memory -H 'Content-Type: application/json' -d '{"text":"Ana prefers night shifts","user":"W000123"}'}
 */
public record PathwaydRoutes(Memories memories, MemoryIndex index, Duration indexWait) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.POST, "/", this::add);
        Routes.only(rules, Method.POST, "/search", (req, res) ->
                Json.send(res, 200, index.search(Json.read(req, PathwaydWire.SearchRequest.class))));
        rules.get("/{id}", (req, res) -> {
            String id = id(req);
            java.time.Instant asOf = FieldError.time(req.query().first("as_of").orElse(null), "as_of");
            Memory m = memories.require(id);
            Version v = memories.read(id, asOf);
            Json.send(res, 200, PathwaydWire.VersionView.of(m, v));
        });
        rules.put("/{id}", (req, res) -> {
            String id = id(req);
            memories.require(id);   // 404 before the body is read
            written(res, 200, memories.update(id, Json.read(req, PathwaydWire.UpdateRequest.class)));
        });
        rules.delete("/{id}", (req, res) -> written(res, 200, memories.delete(id(req))));
        Routes.allow(rules, "/{id}", Method.GET, Method.PUT, Method.DELETE);
        Routes.only(rules, Method.GET, "/{id}/history", (req, res) -> {
            Memory m = memories.require(id(req));
            List<PathwaydWire.VersionView> versions = m.versions().stream().map(v -> PathwaydWire.VersionView.of(m, v)).toList();
            Json.send(res, 200, new PathwaydWire.History(m.id(), versions, m.supersedes(), m.supersededBy()));
        });
    }

    private static String id(ServerRequest req) {
        return PathwaydWire.checkId(req.path().pathParameters().get("id"), "id");
    }

    private void add(ServerRequest req, ServerResponse res) {
        VersionLog.Entry e = memories.add(Json.read(req, PathwaydWire.AddRequest.class));
        res.header("Location", "/v1/memory/" + e.versions().get(0).id());
        written(res, 201, e);
    }

    /** The answer to a write: its first version is the memory written, the others the ones it closed. */
    private void written(ServerResponse res, int status, VersionLog.Entry e) {
        boolean indexed = index.awaitIndexed(e.seq(), indexWait);
        List<PathwaydWire.VersionView> views = new ArrayList<>();
        for (Version v : e.versions()) {
            views.add(PathwaydWire.VersionView.of(memories.require(v.id()), v));
        }
        Json.send(res, status, new PathwaydWire.Written(views.get(0), List.copyOf(views.subList(1, views.size())), indexed));
    }
}
