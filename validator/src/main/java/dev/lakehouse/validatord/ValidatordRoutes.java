package dev.lakehouse.validatord;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.validatord.roster.RosterFile;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * validatord's API (docs/validator.md):
 * <pre>
 * POST /v1/validate              {"kind":"fill","fill":{…}} | {"kind":"email","email":{…}} → {"valid","kind","violations","took_ms"}
 * POST /v1/iterate               generate through chatd → validate → correct, up to max_attempts
 * GET  /v1/roster/stats          rows, active/inactive, per role and state, load time
 * GET  /v1/roster/workers/{id}   one worker
 * </pre>
 */
record ValidatordRoutes(RosterHolder roster, Validation validation, IterateLoop iterate) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.POST, "/validate", this::validate);
        Routes.only(rules, Method.POST, "/iterate", this::iterate);
        Routes.only(rules, Method.GET, "/roster/stats", this::stats);
        Routes.only(rules, Method.GET, "/roster/workers/{id}", this::worker);
    }

    private void validate(ServerRequest req, ServerResponse res) {
        ValidatordWire.ValidateRequest body = Json.read(req, ValidatordWire.ValidateRequest.class);
        Validation.Result r = validation.validate(body.artifact());
        Json.send(res, 200, new ValidatordWire.ValidateResponse(r.valid(), r.kind(), r.violations(), r.skipped(), r.tookMs()));
    }

    private void iterate(ServerRequest req, ServerResponse res) {
        ValidatordWire.IterateRequest body = Json.read(req, ValidatordWire.IterateRequest.class);
        roster.require();   // fail fast, before asking chatd anything
        Json.send(res, 200, iterate.run(body));
    }

    private void stats(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, roster.stats());
    }

    private void worker(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!RosterFile.isWorkerId(id)) {
            throw new ApiException.BadRequest("invalid_worker_id", "'" + id + "' is not a worker id (W and six digits)");
        }
        Roster r = roster.require();
        Json.send(res, 200, r.worker(id).orElseThrow(() -> new ApiException.NotFound("unknown_worker",
                "worker " + id + " is not on the roster")));
    }
}
