package dev.lakehouse.distillation.distilld;

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
 * </pre>
 * {@code curl -s -XPOST localhost:4225/v1/distill/runs -H 'Content-Type: application/json' -d '{}'}
 */
public final class DistillRoutes implements HttpService {
    private final Runs runs;

    public DistillRoutes(Runs runs) {
        this.runs = runs;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/runs", (req, res) -> {
            Runs.Run run = runs.start(Json.read(req, DistillWire.RunRequest.class));
            Json.send(res, 202, Map.of("id", run.id(), "status_url", "/v1/distill/runs/" + run.id(), "run", run));
        });
        rules.get("/runs", (req, res) -> Json.send(res, 200, Map.of("runs", runs.list())));
        Routes.allow(rules, "/runs", Method.GET, Method.POST);
        Routes.only(rules, Method.GET, "/runs/{id}", (req, res) -> {
            String id = req.path().pathParameters().get("id");
            Json.send(res, 200, runs.get(id).orElseThrow(() -> new ApiException.NotFound("run_not_found", "no distill run '"
                    + (id.length() > 64 ? id.substring(0, 64) + "…" : id) + "'")));
        });
    }
}
