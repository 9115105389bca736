package dev.lakehouse.distilld;

import java.util.Map;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * distilld's API, under {@code /v1/distill}:
 * <pre>
 * POST /runs        {"stages":[…],"since":"…","full":false} → 202 {"id","status_url","run"}; 409 run_in_progress
 * GET  /runs        the runs, newest first
 * GET  /runs/{id}   state, progress per stage, the summary when done
 * POST /replays     {"run","classes","since","until","sample","seed","concurrency","rate","provider","model"} → 202
 * GET  /replays/{id}            state, progress, the summary when done
 * POST /replays/{id}/resume     a stopped replay, again → 202
 * POST /audits      {"run","phases":"0-7","replay_sample":20,"seed","concurrency","provider","model"} → 202
 * GET  /audits/{id}             state, progress, the report (JSON) when done
 * GET  /audits/{id}/report.md   the report for people (Markdown)
 * </pre>
 * {@code curl -s -XPOST localhost:4225/v1/distill/runs -H 'Content-Type: application/json' -d '{}'}
 */
record DistilldRoutes(Runs runs, Audits audits) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/runs", (req, res) -> {
            Runs.Run run = runs.start(Json.read(req, DistilldWire.RunRequest.class));
            Json.send(res, 202, Map.of("id", run.id(), "status_url", "/v1/distill/runs/" + run.id(), "run", run));
        });
        rules.get("/runs", (req, res) -> Json.send(res, 200, Map.of("runs", runs.list())));
        Routes.allow(rules, "/runs", Method.GET, Method.POST);
        Routes.only(rules, Method.GET, "/runs/{id}", (req, res) -> {
            String id = req.path().pathParameters().get("id");
            Json.send(res, 200, runs.get(id).orElseThrow(() -> new ApiException.NotFound("run_not_found", "no distill run '"
                    + (id.length() > 64 ? id.substring(0, 64) + "…" : id) + "'")));
        });
        Routes.only(rules, Method.POST, "/replays", (req, res) -> accepted(res, "replays",
                audits.replay(Json.read(req, DistilldWire.ReplayRequest.class))));
        Routes.only(rules, Method.GET, "/replays/{id}", (req, res) -> {
            String id = req.path().pathParameters().get("id");
            Json.send(res, 200, audits.replayStatus(id).orElseThrow(() -> notFound("replay", id)));
        });
        Routes.only(rules, Method.POST, "/replays/{id}/resume", (req, res) -> accepted(res, "replays",
                audits.resume(req.path().pathParameters().get("id"))));
        Routes.only(rules, Method.POST, "/audits", (req, res) -> accepted(res, "audits",
                audits.audit(Json.read(req, DistilldWire.AuditRequest.class))));
        Routes.only(rules, Method.GET, "/audits/{id}", (req, res) -> {
            String id = req.path().pathParameters().get("id");
            Json.send(res, 200, audits.auditStatus(id).orElseThrow(() -> notFound("audit", id)));
        });
        Routes.only(rules, Method.GET, "/audits/{id}/report.md", (req, res) -> {
            String id = req.path().pathParameters().get("id");
            String md = audits.auditMarkdown(id).orElseThrow(() -> notFound("audit", id));
            res.headers().contentType(io.helidon.common.media.type.MediaTypes.create("text/markdown; charset=utf-8"));
            res.send(md.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    private static void accepted(io.helidon.webserver.http.ServerResponse res, String kind, Jobs.Job job) {
        Json.send(res, 202, Map.of("id", job.id(), "status_url", "/v1/distill/" + kind + "/" + job.id(), kind.substring(0, kind.length() - 1),
                job));
    }

    private static ApiException notFound(String kind, String id) {
        return new ApiException.NotFound(kind + "_not_found", "no " + kind + " '" + Audits.abbreviate(id) + "'");
    }
}
