package dev.lakehouse.truthd;

import static dev.lakehouse.common.testing.TestHttp.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * truthd in-process, through its own builder: claims posted (idempotent ids, provenance),
 * subjects resolved with the rule and the conflicts, as_of, ?strategy=, the conflict list,
 * learned trust, a restart, the policy file's errors, and every bad input by status and code.
 */
class TruthdServerTest {
    @TempDir
    static Path dir;
    static DaemonServer truthd;

    @BeforeAll
    static void start() throws Exception {
        truthd = startTruthd();
    }

    static DaemonServer startTruthd() throws Exception {
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"format\":1,\"sources\":[\"roster\",\"crm\",\"llm\"],"
                + "\"default\":{\"strategy\":\"priority\"},\"fields\":{\"phone\":{\"type\":\"phone\",\"strategy\":\"vote\"},"
                + "\"status\":{\"strategy\":\"ranked\"},\"skills\":{\"multi\":true,\"strategy\":\"ranked\"},"
                + "\"certs\":{\"multi\":true,\"strategy\":\"vote\"}}}");
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_TRUTHD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(),
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9", "TRUTHD_POLICY", policy.toString()));
        DaemonServer s = TruthdMain.builder(TruthdConfig.from(env), env).embedded().start();
        for (int i = 0; i < 200 && new TestHttp(s::port).get("/ready").statusCode() != 200; i++) {
            Thread.sleep(25);
        }
        return s;
    }

    @AfterAll
    static void stop() {
        truthd.stop();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return new TestHttp(truthd::port).send(method, path, body);
    }

    static JsonNode ok(String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return Json.mapper().readTree(r.body());
    }

    static String claim(String subject, String field, String value, String source, String observed, String extra) {
        return "{\"subject\":\"" + subject + "\",\"field\":\"" + field + "\",\"value\":" + value + ",\"source\":\"" + source
                + "\",\"observed_at\":\"" + observed + "\"" + extra + "}";
    }

    static JsonNode post(String... claims) throws Exception {
        return ok("POST", "/v1/truth/claims", "{\"claims\":[" + String.join(",", claims) + "]}", 201);
    }

    @Test
    void aSubject_resolvesEveryField_withTheRule_theAgreeingAndTheConflicting() throws Exception {
        JsonNode ids = post(claim("worker:W000123", "phone", "\"614-555-0101\"", "roster", "2026-10-01T00:00:00Z", ""),
                claim("worker:W000123", "phone", "\"(614) 555-0199\"", "crm", "2026-11-01T00:00:00Z", ""),
                claim("worker:W000123", "phone", "\"+1 614 555 0199\"", "llm", "2026-11-02T00:00:00Z", ",\"confidence\":0.6"),
                claim("worker:W000123", "city", "\"Columbus\"", "roster", "2026-10-01T00:00:00Z", ""),
                claim("worker:W000123", "city", "\"Dayton\"", "crm", "2026-11-01T00:00:00Z", ""));
        assertThat(ids.path("claim_ids")).hasSize(5);
        assertThat(ids.path("created").asInt()).isEqualTo(5);
        JsonNode s = ok("GET", "/v1/truth/subjects/worker:W000123", null, 200);
        JsonNode phone = s.path("fields").path("phone");
        assertThat(phone.path("value").asText()).as("vote: two sources say 0199").isEqualTo("(614) 555-0199");
        assertThat(phone.path("normalized").asText()).isEqualTo("6145550199");
        assertThat(phone.path("rule").path("strategy").asText()).isEqualTo("vote");
        assertThat(phone.path("rule").path("inputs").path("votes").path("6145550199").asInt()).isEqualTo(2);
        assertThat(phone.path("agreeing")).hasSize(1);
        assertThat(phone.path("conflicting").get(0).path("claims").get(0).path("source").asText()).isEqualTo("roster");
        JsonNode city = s.path("fields").path("city");
        assertThat(city.path("value").asText()).as("priority: roster first").isEqualTo("Columbus");
        assertThat(city.path("claim").path("source").asText()).isEqualTo("roster");
        // ?strategy= resolves this read another way; ?field= only one field
        JsonNode byPriority = ok("GET", "/v1/truth/subjects/worker:W000123?strategy=priority&field=phone", null, 200);
        assertThat(byPriority.path("fields").path("phone").path("value").asText()).isEqualTo("614-555-0101");
        assertThat(byPriority.path("fields").has("city")).isFalse();
        assertThat(byPriority.path("strategy").asText()).isEqualTo("priority");
        // conflicts lists both fields, filterable
        JsonNode conflicts = ok("GET", "/v1/truth/conflicts?field=city&source=crm", null, 200).path("conflicts");
        assertThat(conflicts).anySatisfy(c -> {
            assertThat(c.path("subject").asText()).isEqualTo("worker:W000123");
            assertThat(c.path("values")).hasSize(2);
        });
        JsonNode page = ok("GET", "/v1/truth/conflicts?limit=1", null, 200);
        assertThat(page.path("conflicts")).hasSize(1);
        String next = page.path("next").asText();
        assertThat(next).contains("/");
        JsonNode second = ok("GET", "/v1/truth/conflicts?limit=1&after=" + next, null, 200).path("conflicts");
        assertThat(second.get(0).path("subject").asText() + "/" + second.get(0).path("field").asText()).isGreaterThan(next);
    }

    @Test
    void asOf_answersWhatWasBelievedThen_andRankedLetsAPreferredClaimWin() throws Exception {
        post(claim("worker:W000200", "status", "\"active\"", "roster", "2026-10-01T00:00:00Z", ""));
        Instant between = Instant.now();
        Thread.sleep(5);
        post(claim("worker:W000200", "status", "\"inactive\"", "crm", "2026-11-20T00:00:00Z", ",\"rank\":\"preferred\""));
        assertThat(ok("GET", "/v1/truth/subjects/worker:W000200", null, 200).path("fields").path("status").path("value").asText())
                .isEqualTo("inactive");
        JsonNode then = ok("GET", "/v1/truth/subjects/worker:W000200?as_of=" + between, null, 200);
        assertThat(then.path("fields").path("status").path("value").asText()).isEqualTo("active");
        assertThat(then.path("as_of").asText()).isEqualTo(between.toString());
        assertProblem(send("GET", "/v1/truth/subjects/worker:W000200?as_of=2001-01-01T00:00:00Z", null), 404, "subject_not_found",
                "recorded by");
        JsonNode many = ok("POST", "/v1/truth/resolve", "{\"subjects\":[\"worker:W000200\",\"worker:W999999\"],\"fields\":[\"status\"],"
                + "\"strategy\":\"ranked\"}", 200);
        assertThat(many.path("subjects").path("worker:W000200").path("status").path("claim").path("rank").asText())
                .isEqualTo("preferred");
        assertThat(many.path("subjects").path("worker:W999999").isEmpty()).isTrue();
    }

    @Test
    void claimIds_areIdempotent_andProvenanceFollowsDerivedFrom() throws Exception {
        String base = claim("worker:W000300", "email", "\"ana@example.com\"", "crm", "2026-11-01T00:00:00Z", ",\"claim_id\":\"crm-1\"");
        post(base);
        JsonNode again = ok("POST", "/v1/truth/claims", "{\"claims\":[" + base + "]}", 200);
        assertThat(again.path("existing").asInt()).isEqualTo(1);
        assertThat(again.path("claim_ids").get(0).asText()).isEqualTo("crm-1");
        assertProblem(send("POST", "/v1/truth/claims", "{\"claims\":[" + base.replace("ana@", "bo@") + "]}"), 409, "claim_conflict",
                "crm-1");
        post(claim("worker:W000300", "email", "\"ANA@example.com\"", "llm", "2026-11-02T00:00:00Z",
                ",\"claim_id\":\"llm-1\",\"derived_from\":[\"crm-1\"]"),
                claim("worker:W000300", "email", "\"ana@example.com\"", "recruiter", "2026-11-03T00:00:00Z",
                        ",\"claim_id\":\"rec-1\",\"derived_from\":[\"llm-1\"]"));
        JsonNode prov = ok("GET", "/v1/truth/claims/rec-1", null, 200);
        assertThat(prov.path("derived_from")).extracting(d -> d.path("claim").path("claim_id").asText()).containsExactly("llm-1", "crm-1");
        assertThat(prov.path("derived_from").get(1).path("depth").asInt()).isEqualTo(2);
        assertThat(ok("GET", "/v1/truth/claims/crm-1", null, 200).path("derivations").get(0).asText()).isEqualTo("llm-1");
        assertProblem(send("POST", "/v1/truth/claims", "{\"claims\":[" + claim("worker:W000300", "email", "\"x@y.z\"", "crm",
                "2026-11-01T00:00:00Z", ",\"derived_from\":[\"nope\"]") + "]}"), 422, "unknown_claim", "derived_from[0]");
    }

    @Test
    void trust_isLearnedAcrossSubjects_andAReliableMinorityWins() throws Exception {
        List<String> claims = new ArrayList<>();
        for (int q = 0; q < 60; q++) {
            String s = "place:p" + q;
            claims.add(claim(s, "height", "\"" + q + "\"", "atlas", "2026-11-01T00:00:00Z", ""));
            claims.add(claim(s, "height", "\"" + q + "\"", "survey", "2026-11-01T00:00:00Z", ""));
            for (String noisy : List.of("blog", "forum", "wiki")) {
                claims.add(claim(s, "height", "\"" + noisy + q + "\"", noisy, "2026-11-01T00:00:00Z", ""));
            }
        }
        for (String good : List.of("atlas", "survey")) {
            claims.add(claim("place:everest", "height", "\"29035\"", good, "2026-11-01T00:00:00Z", ""));
        }
        for (String noisy : List.of("blog", "forum", "wiki")) {
            claims.add(claim("place:everest", "height", "\"29002\"", noisy, "2026-11-01T00:00:00Z", ""));
        }
        post(claims.toArray(String[]::new));
        JsonNode est = ok("POST", "/v1/truth/trust", null, 200);
        assertThat(est.path("trust").path("atlas").asDouble()).isGreaterThan(est.path("trust").path("blog").asDouble());
        assertThat(ok("GET", "/v1/truth/sources", null, 200).path("trust").path("survey").asDouble()).isGreaterThan(0.9);
        String everest = "/v1/truth/subjects/place:everest";
        assertThat(ok("GET", everest + "?strategy=vote", null, 200).path("fields").path("height").path("value").asText()).isEqualTo("29002");
        JsonNode t = ok("GET", everest + "?strategy=trust", null, 200).path("fields").path("height");
        assertThat(t.path("value").asText()).isEqualTo("29035");
        assertThat(t.path("rule").path("inputs").path("source_trust").path("atlas").asDouble()).isGreaterThan(0.8);
    }


    static JsonNode field(String subject, String field, String query) throws Exception {
        return ok("GET", "/v1/truth/subjects/" + subject + "?field=" + field + query, null, 200).path("fields").path(field);
    }

    @Test
    void aRankStatement_demotesAndPromotesEarlierClaims_andAsOfSeesEachStep() throws Exception {
        String w = "worker:W000410";
        post(claim(w, "status", "\"active\"", "roster", "2026-10-01T00:00:00Z", ",\"claim_id\":\"st-r-1\""),
                claim(w, "status", "\"on_leave\"", "crm", "2026-10-05T00:00:00Z", ",\"claim_id\":\"st-crm-1\",\"rank\":\"preferred\""));
        assertThat(field(w, "status", "").path("value").asText()).isEqualTo("on_leave");
        Instant preferred = Instant.now();
        Thread.sleep(5);
        // the preferred claim is demoted by a statement without a value of its own
        post("{\"subject\":\"" + w + "\",\"field\":\"status\",\"source\":\"recruiter\",\"observed_at\":\"2026-10-06T00:00:00Z\","
                + "\"claim_id\":\"st-fix-1\",\"ranks\":[{\"claim_id\":\"st-crm-1\",\"rank\":\"deprecated\",\"reason\":\"entered on the wrong worker\"}]}");
        JsonNode now = field(w, "status", "");
        assertThat(now.path("value").asText()).isEqualTo("active");
        assertThat(now.path("deprecated").get(0).path("claim_id").asText()).isEqualTo("st-crm-1");
        assertThat(now.path("deprecated").get(0).path("ranked_by").path("claim_id").asText()).isEqualTo("st-fix-1");
        assertThat(now.path("deprecated").get(0).path("ranked_by").path("reason").asText()).isEqualTo("entered on the wrong worker");
        Instant deprecated = Instant.now();
        Thread.sleep(5);
        // promoted back to normal: a restatement at the statement's time, so crm's claim is its latest again, and by
        // priority roster still wins; promoted to preferred, it wins under ranked
        post("{\"subject\":\"" + w + "\",\"field\":\"status\",\"source\":\"recruiter\",\"observed_at\":\"2026-10-07T00:00:00Z\","
                + "\"ranks\":[{\"claim_id\":\"st-crm-1\",\"rank\":\"preferred\"}]}");
        assertThat(field(w, "status", "").path("value").asText()).isEqualTo("on_leave");
        assertThat(field(w, "status", "&as_of=" + preferred).path("value").asText()).isEqualTo("on_leave");
        assertThat(field(w, "status", "&as_of=" + deprecated).path("value").asText()).isEqualTo("active");
        // ranked resolves over each source's latest claim: crm says something new, normal rank; it replaces crm's preferred one
        post(claim(w, "status", "\"terminated\"", "crm", "2026-11-01T00:00:00Z", ""));
        JsonNode latest = field(w, "status", "");
        assertThat(latest.path("value").asText()).as("crm's newest claim is its assertion; roster (priority) wins among normals")
                .isEqualTo("active");
        assertThat(latest.path("rule").path("name").asText()).contains("each source's latest claim");
        // the statement's rules: unknown, other subject, other field, itself, a statement without value, a later claim
        String head = "{\"claims\":[{\"subject\":\"" + w + "\",\"field\":\"status\",\"source\":\"ops\",\"ranks\":[{\"claim_id\":\"";
        assertProblem(send("POST", "/v1/truth/claims", head + "nope\",\"rank\":\"deprecated\"}]}]}"), 422, "unknown_claim",
                "claims[0].ranks[0].claim_id");
        post(claim("worker:W000411", "status", "\"active\"", "roster", "2026-10-01T00:00:00Z", ",\"claim_id\":\"st-other-1\""));
        assertProblem(send("POST", "/v1/truth/claims", head + "st-other-1\",\"rank\":\"deprecated\"}]}]}"), 422, "other_subject",
                "worker:W000411");
        post(claim(w, "city", "\"Dayton\"", "roster", "2026-10-01T00:00:00Z", ",\"claim_id\":\"st-city-1\""));
        assertProblem(send("POST", "/v1/truth/claims", head + "st-city-1\",\"rank\":\"deprecated\"}]}]}"), 422, "other_subject", "city");
        assertProblem(send("POST", "/v1/truth/claims", head + "st-fix-1\",\"rank\":\"preferred\"}]}]}"), 422, "not_rankable", "st-fix-1");
        assertProblem(send("POST", "/v1/truth/claims", head + "me\",\"rank\":\"preferred\"}],\"claim_id\":\"me\"}]}"), 400,
                "invalid_field", "its own rank");
        // a cycle cannot be written: a statement names only claims recorded before it (here, later in the same request)
        assertProblem(send("POST", "/v1/truth/claims", "{\"claims\":[" + claim(w, "status", "\"a\"", "ops", "2026-11-02T00:00:00Z",
                ",\"claim_id\":\"cy-a\",\"ranks\":[{\"claim_id\":\"cy-b\",\"rank\":\"deprecated\"}]") + ","
                + claim(w, "status", "\"b\"", "ops2", "2026-11-02T00:00:00Z", ",\"claim_id\":\"cy-b\",\"ranks\":[{\"claim_id\":\"cy-a\","
                + "\"rank\":\"deprecated\"}]") + "]}"), 422, "unknown_claim", "cy-b");
        assertThat(ok("GET", "/v1/truth/claims/cy-a", null, 404)).isNotNull();   // the request was atomic
        // toggling many times: the latest statement holds, replayed the same after a restart
        for (int i = 0; i < 6; i++) {
            post("{\"subject\":\"" + w + "\",\"field\":\"status\",\"source\":\"ops\",\"ranks\":[{\"claim_id\":\"st-r-1\","
                    + "\"rank\":\"" + (i % 2 == 0 ? "deprecated" : "preferred") + "\"}]}");
        }
        assertThat(field(w, "status", "").path("value").asText()).isEqualTo("active");
    }

    @Test
    void aMultiValuedField_answersASet_eachValueWithItsSupport() throws Exception {
        String w = "worker:W000500";
        post(claim(w, "skills", "\"Forklift\"", "roster", "2026-10-01T00:00:00Z", ",\"claim_id\":\"sk-1\""),
                claim(w, "skills", "\"forklift \"", "crm", "2026-10-02T00:00:00Z", ""),
                claim(w, "skills", "\"Welding\"", "crm", "2026-10-03T00:00:00Z", ""),
                claim(w, "skills", "\"Packing\"", "llm", "2026-10-04T00:00:00Z", ",\"claim_id\":\"sk-3\""),
                claim(w, "certs", "\"OSHA-10\"", "roster", "2026-10-01T00:00:00Z", ""),
                claim(w, "certs", "\"OSHA-10\"", "crm", "2026-10-01T00:00:00Z", ""),
                claim(w, "certs", "\"CDL-A\"", "llm", "2026-10-01T00:00:00Z", ""));
        JsonNode skills = field(w, "skills", "");
        assertThat(skills.path("value")).extracting(JsonNode::asText).containsExactly("Forklift", "Welding", "Packing");
        assertThat(skills.path("values").get(0).path("support").asDouble()).isEqualTo(2.0);
        assertThat(skills.path("values").get(0).path("claims")).hasSize(2);
        assertThat(skills.path("conflicting")).isEmpty();
        // a member leaves the set when its claim is deprecated
        post("{\"subject\":\"" + w + "\",\"field\":\"skills\",\"source\":\"recruiter\",\"ranks\":[{\"claim_id\":\"sk-3\","
                + "\"rank\":\"deprecated\"}]}");
        assertThat(field(w, "skills", "").path("value")).extracting(JsonNode::asText).containsExactly("Forklift", "Welding");
        // ranked: a preferred member makes the set its best-ranked members (Wikidata's "truthy" statements)
        post(claim(w, "skills", "\"Forklift\"", "recruiter", "2026-10-05T00:00:00Z", ",\"rank\":\"preferred\""));
        JsonNode best = field(w, "skills", "");
        assertThat(best.path("value")).extracting(JsonNode::asText).containsExactly("Forklift");
        assertThat(best.path("conflicting")).extracting(c -> c.path("normalized").asText()).containsExactly("welding");
        JsonNode certs = field(w, "certs", "");
        assertThat(certs.path("value")).extracting(JsonNode::asText).containsExactly("OSHA-10", "CDL-A");
        assertThat(certs.path("values").get(1).path("support").asDouble()).isEqualTo(1.0);
    }

    @Test
    void validTime_answersWhatWasTrueThen_besideWhatWasKnownThen() throws Exception {
        String w = "worker:W000600";
        post(claim(w, "city", "\"Dayton\"", "roster", "2026-01-02T00:00:00Z", ",\"valid_from\":\"2025-01-01T00:00:00Z\","
                        + "\"valid_to\":\"2026-06-01T00:00:00Z\""),
                claim(w, "city", "\"Columbus\"", "roster", "2026-06-02T00:00:00Z", ",\"valid_from\":\"2026-06-01T00:00:00Z\""));
        assertThat(field(w, "city", "").path("value").asText()).isEqualTo("Columbus");
        JsonNode march = ok("GET", "/v1/truth/subjects/" + w + "?valid_at=2026-03-01T00:00:00Z", null, 200);
        assertThat(march.path("valid_at").asText()).isEqualTo("2026-03-01T00:00:00Z");
        assertThat(march.path("fields").path("city").path("value").asText()).as("roster's claim valid then, though not its latest")
                .isEqualTo("Dayton");
        JsonNode before = field(w, "city", "&valid_at=2024-01-01T00:00:00Z");
        assertThat(before.path("value").isMissingNode() || before.path("value").isNull()).isTrue();
        assertThat(before.path("rule").path("name").asText()).contains("no claim is valid");
        JsonNode viaResolve = ok("POST", "/v1/truth/resolve", "{\"subjects\":[\"" + w + "\"],\"valid_at\":\"2026-03-01T00:00:00Z\"}", 200);
        assertThat(viaResolve.path("subjects").path(w).path("city").path("value").asText()).isEqualTo("Dayton");
        assertProblem(send("POST", "/v1/truth/claims", "{\"claims\":[" + claim(w, "city", "\"X\"", "crm", "2026-06-02T00:00:00Z",
                ",\"valid_from\":\"2026-06-01T00:00:00Z\",\"valid_to\":\"2026-05-01T00:00:00Z\"") + "]}"), 400, "invalid_field", "valid_to");
        assertProblem(send("GET", "/v1/truth/subjects/" + w + "?valid_at=soon", null), 400, "invalid_time", "valid_at");
    }

    @Test
    void trust_ignoresFieldsNoOtherSourceAsserts_andCanBeEstimatedAsOf() throws Exception {
        List<String> claims = new ArrayList<>();
        for (int q = 0; q < 30; q++) {   // "loner" is contradicted by two sources on 30 fields and alone on 160
            String s = "item:u" + q;
            claims.add(claim(s, "size", "\"right" + q + "\"", "steady", "2026-11-01T00:00:00Z", ""));
            claims.add(claim(s, "size", "\"right" + q + "\"", "peer", "2026-11-01T00:00:00Z", ""));
            claims.add(claim(s, "size", "\"wrong" + q + "\"", "loner", "2026-11-01T00:00:00Z", ""));
        }
        for (int q = 0; q < 160; q++) {
            claims.add(claim("item:alone" + q, "size", "\"" + q + "\"", "loner", "2026-11-01T00:00:00Z", ""));
        }
        Instant before = Instant.now();
        Thread.sleep(5);
        post(claims.toArray(String[]::new));
        post(claim("item:contested", "size", "\"L\"", "loner", "2026-11-01T00:00:00Z", ""),
                claim("item:contested", "size", "\"M\"", "steady", "2026-11-01T00:00:00Z", ""));
        JsonNode est = ok("POST", "/v1/truth/trust", null, 200);
        assertThat(est.path("trust").path("loner").asDouble()).isLessThan(0.2);
        assertThat(est.path("trust").path("steady").asDouble()).isGreaterThan(0.9);
        assertThat(est.path("uncorroborated").asLong()).isGreaterThanOrEqualTo(160);
        assertThat(field("item:contested", "size", "&strategy=trust").path("value").asText()).isEqualTo("M");
        // as of before these claims, nobody knew loner
        JsonNode then = ok("GET", "/v1/truth/sources?as_of=" + before, null, 200);
        assertThat(then.path("as_of").asText()).isEqualTo(before.toString());
        assertThat(then.path("trust").has("loner")).isFalse();
        assertProblem(send("GET", "/v1/truth/sources?as_of=later", null), 400, "invalid_time", "as_of");
    }


    @Test
    void anErasure_removesTheClaimsAboutAPerson_andThoseHoldingTheirIdentifiers_andNothingElse() throws Exception {
        post(claim("worker:W000900", "phone", "\"614-555-0190\"", "roster", "2026-10-01T00:00:00Z", ",\"claim_id\":\"er-p1\""),
                claim("worker:W000900", "email", "\"lee.vance@example.com\"", "crm", "2026-10-01T00:00:00Z", ",\"claim_id\":\"er-e1\""),
                claim("worker:W000901", "emergency_contact", "\"Lee Vance, 614 555 0190\"", "crm", "2026-10-01T00:00:00Z",
                        ",\"claim_id\":\"er-x1\""),
                claim("worker:W000901", "phone", "\"614-555-0191\"", "roster", "2026-10-01T00:00:00Z",
                        ",\"claim_id\":\"er-k1\",\"derived_from\":[\"er-p1\"]"));
        post("{\"subject\":\"worker:W000900\",\"field\":\"phone\",\"source\":\"ops\",\"ranks\":[{\"claim_id\":\"er-p1\","
                + "\"rank\":\"preferred\"}]}");
        Path log = dir.resolve("data/truthd/claims.jsonl");
        JsonNode r = ok("POST", "/v1/truth/erasures", "{\"erasure_id\":\"er-1\",\"identifiers\":[\"W000900\",\"614-555-0190\","
                + "\"lee.vance@example.com\",\"Lee Vance\"]}", 200);
        assertThat(r.path("claims_removed").asInt()).isEqualTo(4);
        assertThat(Files.readString(log)).doesNotContain("W000900").doesNotContain("0190").doesNotContain("Vance")
                .contains("er-k1").contains("614-555-0191");
        assertProblem(send("GET", "/v1/truth/subjects/worker:W000900", null), 404, "subject_not_found", "worker:W000900");
        JsonNode kept = ok("GET", "/v1/truth/subjects/worker:W000901", null, 200).path("fields");
        assertThat(kept.has("emergency_contact")).isFalse();
        assertThat(kept.path("phone").path("value").asText()).isEqualTo("614-555-0191");
        assertThat(ok("GET", "/v1/truth/claims/er-k1", null, 200).path("derived_from")).as("the removed parent is not shown").isEmpty();
        assertProblem(send("GET", "/v1/truth/claims/er-p1", null), 404, "claim_not_found", "er-p1");
        assertThat(ok("POST", "/v1/truth/erasures", "{\"erasure_id\":\"er-2\",\"identifiers\":[\"W000900\"]}", 200)
                .path("claims_removed").asInt()).isZero();
        assertProblem(send("POST", "/v1/truth/erasures", "{\"erasure_id\":\"er-3\",\"identifiers\":[\"900\"]}"), 400,
                "invalid_field", "identifiers[0]");
        // after a restart the log replays to the same state
        truthd.stop();
        truthd = startTruthd();
        assertProblem(send("GET", "/v1/truth/subjects/worker:W000900", null), 404, "subject_not_found", "worker:W000900");
        assertThat(ok("GET", "/v1/truth/subjects/worker:W000901", null, 200).path("fields").path("phone").path("value").asText())
                .isEqualTo("614-555-0191");
    }

    @Test
    void aWriteThatChangesAnAnswer_isObserved_andOneThatDoesNot_isNot() throws Exception {
        post(claim("worker:W000400", "city", "\"Akron\"", "llm", "2026-11-01T00:00:00Z", ""));
        post(claim("worker:W000400", "city", "\"Toledo\"", "roster", "2026-10-01T00:00:00Z", ""));   // roster first: changes
        post(claim("worker:W000400", "city", "\"Akron\"", "crm", "2026-11-05T00:00:00Z", ""));       // below the roster: does not
        Path spool = dir.resolve("data/truthd/observer-spool.jsonl");   // observerd is unreachable here: events wait on disk
        List<JsonNode> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.clear();
            if (Files.exists(spool)) {
                for (String line : Files.readAllLines(spool)) {
                    JsonNode e = Json.mapper().readTree(line);
                    if ("truth.resolve".equals(e.path("kind").asText()) && "worker:W000400".equals(e.path("payload").path("subject").asText())) {
                        events.add(e.path("payload"));
                    }
                }
            }
            if (events.size() >= 2) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(events).hasSize(2);
        assertThat(events.get(0).path("from").asText(null)).as("nothing was known before").isNull();
        assertThat(events.get(0).path("to").asText()).isEqualTo("akron");
        assertThat(events.get(1).path("from").asText()).isEqualTo("akron");
        assertThat(events.get(1).path("to").asText()).isEqualTo("toledo");
        assertThat(events.get(1).path("source").asText()).isEqualTo("roster");
        assertThat(events.get(1).path("rule").asText()).startsWith("priority");
    }

    @Test
    void aRestart_replaysTheLog_toTheSameAnswers() throws Exception {
        post(claim("client:acme", "billing_email", "\"ap@acme.example\"", "crm", "2026-11-01T00:00:00Z", ""));
        String before = ok("GET", "/v1/truth/subjects/client:acme", null, 200).toString();
        truthd.stop();
        truthd = startTruthd();
        assertThat(ok("GET", "/v1/truth/subjects/client:acme", null, 200).toString()).isEqualTo(before);
    }

    @Test
    void aPolicyFileThatDoesNotParse_stopsTheStart_sayingWhere() throws Exception {
        Path bad = dir.resolve("bad-policy.json");
        Files.writeString(bad, "{\"fields\":{\"phone\":{\"strategy\":\"loudest\"}}}");
        EnvConfig env = EnvConfig.of(Map.of("TRUTHD_POLICY", bad.toString()));
        assertThatThrownBy(() -> TruthdConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("fields.phone.strategy");
        Files.writeString(bad, "{\"fields\":{\"phone\":{\"type\":\"phone\"},}");
        assertThatThrownBy(() -> TruthdConfig.from(env)).isInstanceOf(ConfigException.class).hasMessageContaining(bad.toString());
        assertThatThrownBy(() -> TruthdConfig.from(EnvConfig.of(Map.of("TRUTHD_POLICY", dir.resolve("missing.json").toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
    }

    static Stream<Arguments> badInputs() {
        String ok = claim("worker:W1", "phone", "\"1\"", "crm", "2026-11-01T00:00:00Z", "");
        return Stream.of(
                Arguments.of("POST", "/v1/truth/claims", "null", 400, "invalid_json", "null"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[]}", 400, "invalid_field", "claims"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + (ok + ",").repeat(1_000) + ok + "]}", 400, "invalid_field", "1001"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("worker:W1", "W1") + "]}", 400, "invalid_field", "type:id"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("worker:W1", "worker:") + "]}", 400, "invalid_field", "subject"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("\"phone\"", "\"\"") + "]}", 400, "invalid_field", "field"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("\"1\"", "\"" + "x".repeat(17_000) + "\"") + "]}", 400,
                        "invalid_field", "16384"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("\"1\"", "null") + "]}", 400, "invalid_field", "value"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"confidence\":1.5}") + "]}", 400,
                        "invalid_field", "confidence"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"confidence\":NaN}") + "]}", 400,
                        "invalid_json", ""),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"rank\":\"best\"}") + "]}", 400,
                        "invalid_field", "rank"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("2026-11-01T00:00:00Z", "Nov 1") + "]}", 400,
                        "invalid_time", "observed_at"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("2026-11-01T00:00:00Z", "2099-01-01T00:00:00Z") + "]}", 400,
                        "invalid_field", "future"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("crm", "CRM!") + "]}", 400, "invalid_field", "source"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"derived_from\":[\"a\",\"a\"]}") + "]}", 400,
                        "invalid_field", "twice"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"claim_id\":\"a\"}") + ","
                        + ok.replace("}", ",\"claim_id\":\"a\"}") + "]}", 400, "invalid_field", "claims[1].claim_id"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"ranks\":[]}") + "]}", 400, "invalid_field", "ranks"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"ranks\":[null]}") + "]}", 400, "missing_field",
                        "ranks[0]"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"ranks\":{\"claim_id\":\"a\"}}") + "]}", 400,
                        "invalid_field", "expected an array"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"ranks\":[{\"claim_id\":\"a\"}]}") + "]}", 400,
                        "missing_field", "ranks[0].rank"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"ranks\":[{\"claim_id\":\"a\",\"rank\":\"normal\"},"
                        + "{\"claim_id\":\"a\",\"rank\":\"deprecated\"}]}") + "]}", 400, "invalid_field", "twice"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"ranks\":[{\"claim_id\":\"a\",\"rank\":\"top\"}]}")
                        + "]}", 400, "invalid_field", "rank"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"ranks\":[{\"claim_id\":\"a\",\"rank\":\"normal\","
                        + "\"reason\":\"a\\u0000b\"}]}") + "]}", 400, "invalid_field", "reason"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[{\"subject\":\"worker:W1\",\"field\":\"f\",\"source\":\"crm\","
                        + "\"rank\":\"preferred\",\"ranks\":[{\"claim_id\":\"a\",\"rank\":\"normal\"}]}]}", 400, "invalid_field", "rank statement"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[{\"subject\":\"worker:W1\",\"field\":\"f\",\"source\":\"crm\"}]}", 400,
                        "missing_field", "value"),
                Arguments.of("POST", "/v1/truth/claims", "{\"claims\":[" + ok.replace("}", ",\"valid_from\":\"June\"}") + "]}", 400,
                        "invalid_time", "valid_from"),
                Arguments.of("GET", "/v1/truth/sources?as_of=1", null, 400, "invalid_time", "as_of"),
                Arguments.of("POST", "/v1/truth/resolve", "{\"subjects\":[\"worker:W1\"],\"valid_at\":7}", 400, "invalid_field", "valid_at"),
                Arguments.of("GET", "/v1/truth/subjects/nope", null, 400, "invalid_field", "type:id"),
                Arguments.of("GET", "/v1/truth/subjects/worker:W0?as_of=yesterday", null, 400, "invalid_time", "as_of"),
                Arguments.of("GET", "/v1/truth/subjects/worker:W0?strategy=loudest", null, 400, "invalid_field", "strategy"),
                Arguments.of("GET", "/v1/truth/subjects/worker:W0", null, 404, "subject_not_found", "worker:W0"),
                Arguments.of("GET", "/v1/truth/claims/nope", null, 404, "claim_not_found", "nope"),
                Arguments.of("GET", "/v1/truth/conflicts?limit=0", null, 400, "invalid_field", "limit"),
                Arguments.of("GET", "/v1/truth/conflicts?source=a%20b", null, 400, "invalid_field", "source"),
                Arguments.of("GET", "/v1/truth/conflicts?after=nope", null, 400, "invalid_field", "after"),
                Arguments.of("POST", "/v1/truth/resolve", "{\"subjects\":[]}", 400, "invalid_field", "subjects"),
                Arguments.of("POST", "/v1/truth/resolve", "{\"subjects\":[\"x\"]}", 400, "invalid_field", "subjects[0]"),
                Arguments.of("DELETE", "/v1/truth/claims", null, 405, "method_not_allowed", "POST"));
    }

    @ParameterizedTest(name = "{0} {1} -> {3} {4}")
    @MethodSource("badInputs")
    void badInput_isProblemJson(String method, String path, String body, int status, String code, String mentions) throws Exception {
        assertProblem(send(method, path, body), status, code, mentions);
    }
}
