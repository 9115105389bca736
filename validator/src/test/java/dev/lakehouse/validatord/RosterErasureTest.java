package dev.lakehouse.validatord;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.DaemonServer;
import dev.lakehouse.common.EnvConfig;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.testing.TestHttp;
import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.validatord.roster.RosterErasure;
import dev.lakehouse.validatord.roster.RosterGenerator;
import dev.lakehouse.validatord.roster.RosterLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validatord takes a worker out of the roster: the Parquet file is rewritten without her row (by id, phone or e-mail),
 * the snapshot rebuilt, every other worker exactly as before, and she stays gone after a restart.
 */
class RosterErasureTest {
    @TempDir
    Path dir;

    DaemonServer start(Path roster) {
        EnvConfig env = EnvConfig.of(Map.of("LAKEHOUSE_VALIDATORD_PORT", "0", "LAKEHOUSE_ROSTER", roster.toString(),
                "LAKEHOUSE_DATA_DIR", dir.resolve("data").toString(), "LAKEHOUSE_CHATD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_PATHWAYD_URL", "http://127.0.0.1:9", "LAKEHOUSE_TRUTHD_URL", "http://127.0.0.1:9",
                "LAKEHOUSE_OBSERVERD_URL", "http://127.0.0.1:9"));
        DaemonServer s = ValidatordMain.builder(ValidatordConfig.from(env), env).embedded().start();
        try {
            for (int i = 0; i < 200 && new TestHttp(s::port).send("GET", "/ready", null).statusCode() != 200; i++) {
                Thread.sleep(25);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return s;
    }

    /** The roster served after an erasure is built from the loaded one; the oracle is the rewritten file read afresh. */
    @Test
    void theRosterWithoutHerRows_isTheRewrittenFileReadAgain_rowsAndLookups() throws Exception {
        Path file = dir.resolve("workers.parquet");
        RosterGenerator.write(file, 5_000, 11, n -> { });
        Roster loaded = RosterLoader.load(file);
        Roster.Worker a = loaded.worker("W000001").orElseThrow();
        Roster.Worker b = loaded.worker("W002500").orElseThrow();
        Roster.Worker c = loaded.worker("W005000").orElseThrow();
        java.util.BitSet rows = RosterErasure.rewrite(file, dev.lakehouse.common.SubjectIdentifiers.of(
                java.util.List.of("W000001", b.phone(), c.email())));
        assertThat(rows.stream().toArray()).containsExactly(0, 2_499, 4_999);
        Roster built = loaded.without(rows);
        Roster read = RosterLoader.load(file);
        assertThat(built.size()).isEqualTo(read.size()).isEqualTo(4_997);
        for (int row = 0; row < read.size(); row++) {
            Roster.Worker w = read.worker(row);
            assertThat(built.worker(row)).as("row " + row).isEqualTo(w);
            assertThat(built.rowByPhone(w.phone())).isEqualTo(read.rowByPhone(w.phone()));
            assertThat(built.rowByEmail(w.email())).isEqualTo(read.rowByEmail(w.email()));
        }
        for (Roster.Worker gone : java.util.List.of(a, b, c)) {
            assertThat(built.worker(gone.workerId())).isEmpty();
            assertThat(built.rowByPhone(gone.phone())).isEqualTo(-1);
            assertThat(built.rowByEmail(gone.email())).isEqualTo(-1);
        }
    }

    @Test
    void herRowGoes_theSnapshotIsRebuilt_everyoneElseIsTheSame_alsoAfterARestart() throws Exception {
        Path file = dir.resolve("workers.parquet");
        RosterGenerator.write(file, 2_000, 7, n -> { });
        Roster before = RosterLoader.load(file);
        Roster.Worker her = before.worker("W000007").orElseThrow();
        DaemonServer v = start(file);
        try {
            TestHttp http = new TestHttp(v::port);
            HttpResponse<String> r = http.send("POST", "/v1/roster/erasures", "{\"erasure_id\":\"er-1\",\"identifiers\":[\"W000007\",\""
                    + her.phone() + "\",\"" + her.email() + "\"]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode out = Json.mapper().readTree(r.body());
            assertThat(out.path("workers_removed").asInt()).isEqualTo(1);
            assertThat(out.path("scan").path("matches").asLong()).as(r.body()).isZero();
            assertThat(out.path("scan").path("files").asLong()).as("the snapshot and the roster file").isGreaterThanOrEqualTo(2);
            assertThat(http.send("GET", "/v1/roster/workers/W000007", null).statusCode()).isEqualTo(404);
            assertThat(Json.mapper().readTree(http.send("GET", "/v1/roster/stats", null).body()).path("workers").asInt()).isEqualTo(1_999);
            assertThat(RosterErasure.text(file)).doesNotContain(her.phone()).doesNotContain(her.email());
        } finally {
            v.stop();
        }
        Roster after = RosterLoader.load(file);
        assertThat(after.size()).isEqualTo(1_999);
        for (int i = 1; i <= 2_000; i++) {
            String id = String.format("W%06d", i);
            if (!id.equals("W000007")) {
                assertThat(after.worker(id)).as(id).isEqualTo(before.worker(id));
            }
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).as("no temporary file left").doesNotContain("workers.parquet.erasing.tmp");
        v = start(file);
        try {
            TestHttp http = new TestHttp(v::port);
            assertThat(http.send("GET", "/v1/roster/workers/W000007", null).statusCode()).isEqualTo(404);
            assertThat(http.send("GET", "/v1/roster/workers/W000008", null).statusCode()).isEqualTo(200);
            HttpResponse<String> r = http.send("POST", "/v1/roster/erasures", "{\"erasure_id\":\"er-2\",\"identifiers\":[\"Ana\"]}");
            assertThat(r.statusCode()).as("a first name alone is not specific").isEqualTo(400);
            assertThat(Json.mapper().readTree(http.send("POST", "/v1/roster/erasures",
                    "{\"erasure_id\":\"er-1\",\"identifiers\":[\"W000007\"]}").body()).path("workers_removed").asInt()).isZero();
        } finally {
            v.stop();
        }
    }
}
