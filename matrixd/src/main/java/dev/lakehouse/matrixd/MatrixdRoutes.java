package dev.lakehouse.matrixd;

import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * matrixd's API, under {@code /v1/matrix}:
 * <pre>
 * GET    /corpora               every registered corpus
 * PUT    /corpora/{name}        {"index":"jobs","vectord_url":"http://…"|"shards":[…],"weight":1.0,"gate":"none|role"}
 *                               → 201 new | 200 replaced or unchanged; 400 index_not_found when a shard lacks the index
 * GET    /corpora/{name}        DELETE /corpora/{name} → 204 (the vectord index is left alone)
 * POST   /corpora/{name}/documents  {"documents":[{"id","text","metadata"}]} → 202 {"job_id","status_url","job"}
 * GET    /jobs/{id}             an ingest job's progress: documents, documents_done, chunks, failures, errors, state
 * POST   /retrieve              {"query","corpora":[…],"k":10,"query_role","filter","fusion":"rrf|dbsf|relative"}
 *                               → {"hits":[{corpus,index,shard,id,doc_id,score,raw_score,rank_in_corpus,payload}],
 *                                  "fusion","query_role","partial","errors","skipped","took_ms"}
 * </pre>
 * {@code curl -s localhost:4219/v1/matrix/retrieve -H 'Content-Type: application/json' -d '{"query":"night forklift","corpora":["jobs"]}'}
 */
record MatrixdRoutes(CorpusRegistry registry, Matrix matrix, Ingest ingest) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.GET, "/corpora", (req, res) -> Json.send(res, 200, new MatrixdWire.CorpusList(registry.list())));
        rules.put("/corpora/{name}", this::put);
        rules.get("/corpora/{name}", (req, res) -> Json.send(res, 200, registry.require(name(req))));
        rules.delete("/corpora/{name}", (req, res) -> {
            registry.delete(name(req));
            res.status(204).send();
        });
        Routes.allow(rules, "/corpora/{name}", Method.GET, Method.PUT, Method.DELETE);
        Routes.only(rules, Method.POST, "/corpora/{name}/documents", (req, res) -> {
            String name = name(req);
            registry.require(name);   // 404 before the body is read
            Ingest.Job job = ingest.submit(name, Json.read(req, MatrixdWire.IngestRequest.class).documents());
            Json.send(res, 202, new MatrixdWire.IngestAccepted(job.id(), "/v1/matrix/jobs/" + job.id(), job));
        });
        Routes.only(rules, Method.GET, "/jobs/{id}", (req, res) -> {
            String id = req.path().pathParameters().get("id");
            Json.send(res, 200, ingest.job(id).orElseThrow(() -> new dev.lakehouse.common.ApiException.NotFound("job_not_found",
                    "no ingest job " + (id.length() > 64 ? id.substring(0, 64) + "…" : id) + " (jobs are kept in memory, the last "
                            + Ingest.KEPT + ")")));
        });
        Routes.only(rules, Method.POST, "/retrieve", (req, res) ->
                Json.send(res, 200, matrix.retrieve(Json.read(req, MatrixdWire.RetrieveRequest.class))));
    }

    private static String name(ServerRequest req) {
        return MatrixdWire.checkName(req.path().pathParameters().get("name"), "name");
    }

    private void put(ServerRequest req, ServerResponse res) {
        String name = name(req);
        MatrixdWire.CorpusSpec spec = Json.read(req, MatrixdWire.CorpusSpec.class);
        int status = switch (matrix.register(name, spec)) {
            case NEW -> 201;
            case REPLACED, SAME -> 200;
        };
        Json.send(res, status, registry.require(name));
    }
}
