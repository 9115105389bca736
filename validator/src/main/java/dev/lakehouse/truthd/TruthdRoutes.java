package dev.lakehouse.truthd;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * truthd's API, under {@code /v1/truth}:
 * <pre>
 * POST /claims              {"claims":[{"subject","field","value","source","observed_at","confidence","rank","derived_from","claim_id",
 *                                       "valid_from","valid_to","ranks":[{"claim_id","rank","reason"}]}]}
 *                           → 201 {"claim_ids":[…],"created","existing"} (200 when every claim was there already)
 * GET  /claims/{id}         {"claim","derived_from":[{"depth","claim"}],"derivations":[…]}
 * GET  /subjects/{subject}  ?as_of=T&amp;valid_at=T&amp;strategy=NAME&amp;field=F → {"subject","as_of","valid_at","strategy","fields":{…}}
 * POST /resolve             {"subjects":[…],"fields":[…],"as_of","valid_at","strategy"} → {"subjects":{"worker:W1":{"phone":{…}}}}
 * GET  /conflicts           ?field=&amp;source=&amp;after=&amp;limit= → {"conflicts":[{"subject","field","values"}],"next"}
 * GET  /sources             ?as_of=T: the sources' estimated trust (as of T: from the claims recorded by then)
 * POST /trust               estimate it again now
 * POST /erasures            {"erasure_id","identifiers":[…]} → {"erasure_id","claims_removed","subjects_touched"}
 * </pre>
 * {@code curl -s localhost:4221/v1/truth/subjects/worker:W000123}
 */
public record TruthdRoutes(Claims claims, Duration skew) implements HttpService {
    /** One subject's answer. */
    public record SubjectView(String subject, Instant asOf, Instant validAt, Policy.Strategy strategy,
                              Map<String, Resolver.Resolution> fields) {
    }

    public record ResolveView(Map<String, Map<String, Resolver.Resolution>> subjects) {
    }

    @Override
    public void routing(HttpRules rules) {
        Routes.only(rules, Method.POST, "/claims", (req, res) -> {
            TruthdWire.PostClaims body = Json.read(req, TruthdWire.PostClaims.class);
            body.checkNotFuture(Instant.now(), skew);
            TruthdWire.Posted posted = claims.post(body);
            Json.send(res, posted.created() > 0 ? 201 : 200, posted);
        });
        Routes.only(rules, Method.GET, "/claims/{id}", (req, res) ->
                Json.send(res, 200, claims.provenance(TruthdWire.checkClaimId(req.path().pathParameters().get("id"), "id"))));
        Routes.only(rules, Method.GET, "/subjects/{subject}", (req, res) -> {
            String subject = TruthdWire.checkSubject(req.path().pathParameters().get("subject"), "subject");
            Instant asOf = FieldError.time(req.query().first("as_of").orElse(null), "as_of");
            Instant validAt = FieldError.time(req.query().first("valid_at").orElse(null), "valid_at");
            Policy.Strategy strategy = req.query().first("strategy").map(s -> Policy.Strategy.parse(s, "strategy")).orElse(null);
            List<String> only = req.query().first("field").map(f -> List.of(TruthdWire.checkField(f, "field"))).orElse(null);
            Map<String, Resolver.Resolution> fields = claims.resolve(subject, asOf, validAt, strategy, only);
            if (fields.isEmpty()) {
                throw new ApiException.NotFound("subject_not_found", "no claims about " + subject
                        + (asOf == null ? "" : " recorded by " + asOf) + (only == null ? "" : " on field " + only.get(0)));
            }
            Json.send(res, 200, new SubjectView(subject, asOf, validAt, strategy, fields));
        });
        Routes.only(rules, Method.POST, "/resolve", (req, res) -> {
            TruthdWire.ResolveRequest r = Json.read(req, TruthdWire.ResolveRequest.class);
            Instant asOf = FieldError.time(r.asOf(), "as_of");
            Instant validAt = FieldError.time(r.validAt(), "valid_at");
            Policy.Strategy strategy = r.strategy() == null ? null : Policy.Strategy.parse(r.strategy(), "strategy");
            Map<String, Map<String, Resolver.Resolution>> out = new LinkedHashMap<>();
            for (String s : r.subjects()) {
                out.put(s, claims.resolve(s, asOf, validAt, strategy, r.fields()));
            }
            Json.send(res, 200, new ResolveView(out));
        });
        Routes.only(rules, Method.GET, "/conflicts", (req, res) -> {
            String field = req.query().first("field").map(f -> TruthdWire.checkField(f, "field")).orElse(null);
            String source = req.query().first("source").orElse(null);
            FieldError.check(source == null || TruthdWire.SOURCE.matcher(source).matches(), "source", "must match "
                    + TruthdWire.SOURCE.pattern());
            String after = req.query().first("after").orElse(null);
            if (after != null) {   // subject/field: neither holds a '/'
                int slash = after.lastIndexOf('/');
                FieldError.check(slash > 0 && TruthdWire.SUBJECT.matcher(after.substring(0, slash)).matches()
                        && Policy.FIELD.matcher(after.substring(slash + 1)).matches(), "after",
                        "must be a cursor from an earlier page's next (subject/field)");
            }
            int limit = (int) Routes.longParam(req, "limit", 100, 1, 1_000);
            Json.send(res, 200, claims.conflicts(field, source, after, limit));
        });
        Routes.only(rules, Method.GET, "/sources", (req, res) ->
                Json.send(res, 200, claims.trust(FieldError.time(req.query().first("as_of").orElse(null), "as_of"))));
        Routes.only(rules, Method.POST, "/trust", (req, res) -> Json.send(res, 200, claims.estimateTrust()));
    }
}
