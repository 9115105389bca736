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
 * GET    /?user=&amp;role=&amp;scope=&amp;kind=&amp;metadata.K=V&amp;valid_at=&amp;deleted=&amp;after=&amp;limit=
 *                           → {"memories":[{…latest version…}],"next":CURSOR}: a page in id order
 * PUT    /{id}              {"text",…,"expected_version"} → 200 {"memory":{…new version…},"indexed"}; 409 when deleted;
 *                           "valid_to": null reopens
 * POST   /{id}/reopen       {"reason","expected_version"} → 200 {"memory":{…reopened version…},"indexed"}
 * DELETE /{id}              → 200 {"memory":{…tombstone…}}: a tombstone version; the history stays
 * POST   /erasures          {"erasure_id","identifiers":[…]} → 200 {"erasure_id","memories_purged","versions_purged","indexed"}:
 *                           every memory naming the person purged, in one rewrite of the log
 * POST   /{id}/purge        {"reason"} → 200 {"purged":{"id","versions","reason"},"seq"}: every version gone from the log,
 *                           the indexes and their vectors
 * GET    /{id}/history      {"id","versions":[…],"supersedes":[…],"superseded_by":[…]}
 * POST   /search            {"query","k","filter":{"role","scope","user","kind","metadata":{"k":"v"}},"as_of","valid_at"}
 *                           → {"hits":[{"id","version","score","memory"}],"as_of","valid_at","index","pending","took_ms"}
 * </pre>
 * {@code curl -s localhost:4222/v1/memory -H 'Content-Type: application/json' -d '{"text":"Ana prefers night shifts","user":"W000123"}'}
 */
public record PathwaydRoutes(Memories memories, MemoryIndex index, Duration indexWait) implements HttpService {
    /** {@code POST /v1/memory/erasures} (registered by the kit, which adds the scan): the purge, then the index caught up. */
    PathwaydWire.ErasedView erase(dev.lakehouse.common.ErasureRequest e) {
        Memories.Erased erased = memories.erase(e.subject(), e.erasureId());
        boolean indexed = erased.memoriesPurged() == 0 || index.awaitIndexed(erased.lastSeq(), indexWait);
        return new PathwaydWire.ErasedView(erased.erasureId(), erased.memoriesPurged(), erased.versionsPurged(), indexed);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::add);
        rules.get("/", this::list);
        Routes.allow(rules, "/", Method.GET, Method.POST);
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
            com.fasterxml.jackson.databind.JsonNode body = Json.read(req, com.fasterxml.jackson.databind.JsonNode.class);
            boolean reopen = body != null && body.isObject() && body.has("valid_to") && body.get("valid_to").isNull();
            written(res, 200, memories.update(id, Json.parse(Json.bytes(body), PathwaydWire.UpdateRequest.class), reopen));
        });
        Routes.only(rules, Method.POST, "/{id}/reopen", (req, res) -> {
            String id = id(req);
            memories.require(id);
            PathwaydWire.ReopenRequest r = Json.read(req, PathwaydWire.ReopenRequest.class);
            written(res, 200, memories.reopen(id, r.reason(), r.expectedVersion()));
        });
        Routes.only(rules, Method.POST, "/{id}/purge", (req, res) -> {
            String id = id(req);
            memories.require(id);
            VersionLog.Entry e = memories.purge(id, Json.read(req, PathwaydWire.PurgeRequest.class).reason());
            index.awaitIndexed(e.seq(), indexWait);
            Json.send(res, 200, new PathwaydWire.Purged(e.purged(), e.seq()));
        });
        rules.delete("/{id}", (req, res) -> written(res, 200, memories.delete(id(req))));
        Routes.allow(rules, "/{id}", Method.GET, Method.PUT, Method.DELETE);
        Routes.only(rules, Method.GET, "/{id}/history", (req, res) -> {
            Memory m = memories.require(id(req));
            List<PathwaydWire.VersionView> versions = m.versions().stream().map(v -> PathwaydWire.VersionView.of(m, v)).toList();
            Json.send(res, 200, new PathwaydWire.History(m.id(), versions, m.supersedes(), m.supersededBy()));
        });
    }

    private static final List<String> LIST_PARAMS = List.of("user", "role", "scope", "kind", "valid_at", "deleted", "after", "limit");

    /** {@code GET /v1/memory}: Mem0's get_all, filtered by tags (any of repeated values), metadata equality and validity. */
    private void list(ServerRequest req, ServerResponse res) {
        java.util.Map<String, List<String>> tags = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();
        for (String name : req.query().names()) {
            if (name.startsWith("metadata.")) {
                String key = name.substring("metadata.".length());
                dev.lakehouse.common.FieldError.check(PathwaydWire.METADATA_KEY.matcher(key).matches(), "metadata",
                        "'" + key.substring(0, Math.min(64, key.length())) + "' is not a metadata key (" + PathwaydWire.METADATA_KEY.pattern() + ")");
                metadata.put(key, req.query().first(name).orElse(""));
            } else {
                dev.lakehouse.common.FieldError.check(LIST_PARAMS.contains(name), name.substring(0, Math.min(64, name.length())),
                        "is not a parameter; one of " + LIST_PARAMS + " or metadata.KEY");
                if (PathwaydWire.FILTERS.contains(name)) {
                    List<String> values = req.query().all(name);
                    dev.lakehouse.common.FieldError.check(values.size() <= 64, name, "at most 64 values");
                    tags.put(name, "role".equals(name) ? values.stream().map(v -> v.strip().toLowerCase(java.util.Locale.ROOT)).toList()
                            : values);
                }
            }
        }
        dev.lakehouse.common.FieldError.check(metadata.size() <= PathwaydWire.MAX_METADATA_FILTERS, "metadata", "at most "
                + PathwaydWire.MAX_METADATA_FILTERS + " metadata filters");
        java.time.Instant validAt = dev.lakehouse.common.FieldError.time(req.query().first("valid_at").orElse(null), "valid_at");
        String deleted = req.query().first("deleted").orElse("false");
        dev.lakehouse.common.FieldError.check(deleted.equals("true") || deleted.equals("false"), "deleted", "must be true or false");
        String after = req.query().first("after").orElse(null);
        if (after != null) {
            PathwaydWire.checkId(after, "after");
        }
        int limit = (int) Routes.longParam(req, "limit", 100, 1, 1_000);
        List<Memory> page = memories.list(after, limit, deleted.equals("true"), v ->
                tags.entrySet().stream().allMatch(t -> t.getValue().contains(tag(v, t.getKey())))
                        && PathwaydWire.metadataMatches(v, metadata) && (validAt == null || v.validAt(validAt)));
        String next = page.size() > limit ? page.get(limit - 1).id() : null;
        List<PathwaydWire.VersionView> views = page.stream().limit(limit).map(m -> PathwaydWire.VersionView.of(m, m.latest())).toList();
        Json.send(res, 200, new PathwaydWire.Page(views, next));
    }

    private static String tag(Version v, String name) {
        return switch (name) {
            case "user" -> v.user();
            case "role" -> v.role();
            case "scope" -> v.scope();
            default -> v.kind();
        };
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
