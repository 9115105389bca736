package dev.lakehouse.vectord;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vectord forgets a person: her points, the other chunks of her documents, the WAL that held them, the snapshot and
 * the graph (a deleted slot keeps its vector until compaction); everyone else's points are the same after, and after a
 * restart. Proven by the route's own scan and by grepping the data directory's bytes.
 */
class VectordErasureTest {
    @TempDir
    Path dir;
    DaemonServer server;
    String d2;

    DaemonServer start() {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_VECTORD_PORT", "0", "LAKEHOUSE_DATA_DIR", dir.toString()));
        return VectordMain.builder(VectordConfig.from(env), env).embedded().start();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return new TestHttp(server::port).send(method, path, body);
    }

    static String point(String id, double x, String payload) {
        return "{\"id\":\"" + id + "\",\"vector\":[" + x + ",1,0.5],\"payload\":" + payload + "}";
    }

    @Test
    void herPointsAndHerDocumentsOtherChunksGo_fromWalSnapshotAndGraph_othersStayIdentical() throws Exception {
        server = start();
        try {
            awaitReady();
            send("PUT", "/v1/indexes/docs", "{\"dims\":3,\"metric\":\"cosine\"}");
            send("PUT", "/v1/indexes/other", "{\"dims\":3,\"metric\":\"euclidean\"}");
            String before = "{\"points\":[" + String.join(",",
                    point("d1~0", 0.1, "{\"doc_id\":\"d1\",\"chunk\":0,\"text\":\"Ana Ruiz, forklift, nights\"}"),
                    point("d1~1", 0.2, "{\"doc_id\":\"d1\",\"chunk\":1,\"text\":\"certified 2019, Columbus\"}"),
                    point("d2~0", 0.3, "{\"doc_id\":\"d2\",\"chunk\":0,\"text\":\"Bo Li, welder, 614-555-0102\"}")) + "]}";
            assertThat(send("POST", "/v1/indexes/docs/points", before).statusCode()).isEqualTo(200);
            send("POST", "/v1/indexes/docs/snapshot", "");
            send("POST", "/v1/indexes/docs/points", "{\"points\":[" + point("d3~0", 0.4,
                    "{\"doc_id\":\"d3\",\"text\":\"call (614) 555-0101 for W000123\"}") + "]}");
            send("POST", "/v1/indexes/other/points", "{\"points\":[" + point("W000123", 0.5, "{}") + ","
                    + point("W000124", 0.6, "{\"note\":\"keep\"}") + "]}");
            d2 = send("GET", "/v1/indexes/docs/points/d2~0", null).body();
            String w124 = send("GET", "/v1/indexes/other/points/W000124", null).body();

            HttpResponse<String> r = send("POST", "/v1/indexes/erasures",
                    "{\"erasure_id\":\"er-1\",\"identifiers\":[\"W000123\",\"Ana Ruiz\",\"614-555-0101\"]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode out = Json.mapper().readTree(r.body());
            assertThat(out.path("points_removed").asInt()).as("d1's two chunks, d3, and the point with her id").isEqualTo(4);
            assertThat(out.path("daemon").asText()).isEqualTo("vectord");
            assertThat(out.path("scan").path("matches").asLong()).as(r.body()).isZero();
            assertThat(out.path("scan").path("files").asLong()).isPositive();
            for (String id : List.of("docs/points/d1~0", "docs/points/d1~1", "docs/points/d3~0", "other/points/W000123")) {
                assertThat(send("GET", "/v1/indexes/" + id, null).statusCode()).as(id).isEqualTo(404);
            }
            assertThat(send("GET", "/v1/indexes/docs/points/d2~0", null).body()).isEqualTo(d2);
            assertThat(dev.lakehouse.common.testing.DataGrep.files(dir, List.of("Ana Ruiz", "W000123", "5550101", "forklift", "certified 2019"))).isEmpty();
            assertThat(dev.lakehouse.common.testing.DataGrep.files(dir, List.of("Bo Li", "W000124"))).as("everyone else's data is still there").isNotEmpty();
            assertThat(Json.mapper().readTree(send("POST", "/v1/indexes/erasures",
                    "{\"erasure_id\":\"er-1\",\"identifiers\":[\"W000123\"]}").body()).path("points_removed").asInt())
                    .as("again: nothing left to remove").isZero();
        } finally {
            server.stop();
        }
        server = start();
        try {
            awaitReady();
            assertThat(send("GET", "/v1/indexes/docs/points/d2~0", null).body()).as("the same after a restart").isEqualTo(d2);
            assertThat(send("GET", "/v1/indexes/other/points/W000124", null).statusCode()).isEqualTo(200);
            assertThat(send("GET", "/v1/indexes/docs/points/d1~0", null).statusCode()).isEqualTo(404);
            assertThat(send("GET", "/v1/indexes/other/points/W000123", null).statusCode()).isEqualTo(404);
        } finally {
            server.stop();
        }
    }

    @Test
    void anIndexCannotBeNamedErasures_andABadRequestIs400WithoutEchoingIdentifiers() throws Exception {
        server = start();
        try {
            awaitReady();
            HttpResponse<String> r = send("PUT", "/v1/indexes/erasures", "{\"dims\":3}");
            assertThat(r.statusCode()).isEqualTo(405);
            r = send("POST", "/v1/indexes/erasures", "{\"erasure_id\":\"e\",\"identifiers\":[\"555\"]}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("identifiers[0]").doesNotContain("555\"");
        } finally {
            server.stop();
        }
    }

    void awaitReady() throws Exception {
        for (int i = 0; i < 200 && send("GET", "/ready", null).statusCode() != 200; i++) {
            Thread.sleep(25);
        }
    }
}
