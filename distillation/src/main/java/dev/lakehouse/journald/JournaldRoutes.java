package dev.lakehouse.journald;


import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * journald's API, under {@code /v1/journal}:
 * <pre>
 * POST /entries  {"type","actor","subject","data","request_id"} → 201 {"seq","hash","ts"}
 * GET  /entries?from_seq=&type=&actor=&request_id=&limit=  → {"entries":[…],"next_from_seq":n}
 * GET  /verify   → {"ok":true,"entries":n,"head":"…","erased":n,"erased_unverifiable":n} or {"ok":false,…,"first_bad_seq":k,"reason":"…"}
 * POST /erasures {"erasure_id","identifiers":[…]} → 200 {"erasure_id","entries_erased","segments_rewritten","bytes_rewritten","journal_seq","took_ms"}
 * </pre>
 * {@code curl -s localhost:4224/v1/journal/verify}
 */
public record JournaldRoutes(Journal journal) implements HttpService {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/entries", this::post);
        rules.get("/entries", this::get);
        Routes.allow(rules, "/entries", Method.GET, Method.POST);
        Routes.only(rules, Method.GET, "/verify", (req, res) -> Json.send(res, 200, journal.verify()));
    }

    private void post(ServerRequest req, ServerResponse res) {
        EntryRequest entry = Json.read(req, EntryRequest.class);
        Journal.Appended a = journal.append(entry);
        Json.send(res, 201, a);
    }

    private void get(ServerRequest req, ServerResponse res) {
        var q = req.query();
        long fromSeq = Routes.longParam(req, "from_seq", 1, 0, Long.MAX_VALUE);
        int limit = (int) Routes.longParam(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Journal.Page page = journal.read(fromSeq, q.first("type").orElse(null), q.first("actor").orElse(null),
                q.first("request_id").orElse(null), limit);
        Json.send(res, 200, page);
    }
}
