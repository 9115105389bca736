package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusRegistryTest {
    @TempDir
    Path dir;

    CorpusRegistry open() {
        CorpusRegistry r = new CorpusRegistry(dir);
        r.load();
        return r;
    }

    static MatrixdWire.CorpusSpec spec(String index, double weight) {
        return new MatrixdWire.CorpusSpec(index, null, List.of("http://127.0.0.1:1", "http://127.0.0.1:2/"), weight,
                MatrixdWire.Gate.ROLE, null);
    }

    @Test
    void put_isDurable_andSaysWhatItDid() {
        CorpusRegistry r = open();
        assertThat(r.put("playbooks", spec("pb", 1.0))).isEqualTo(CorpusRegistry.Put.NEW);
        assertThat(r.put("playbooks", spec("pb", 1.0))).isEqualTo(CorpusRegistry.Put.SAME);
        assertThat(r.put("playbooks", spec("pb", 2.0))).isEqualTo(CorpusRegistry.Put.REPLACED);
        r.put("jobs", spec("jobs", 1.0));
        r.delete("jobs");
        CorpusRegistry again = open();   // as after a restart (or kill -9: nothing is acknowledged before the rename)
        assertThat(again.list()).extracting(MatrixdWire.Corpus::name).containsExactly("playbooks");
        MatrixdWire.Corpus pb = again.require("playbooks");
        assertThat(pb.weight()).isEqualTo(2.0);
        assertThat(pb.gate()).isEqualTo(MatrixdWire.Gate.ROLE);
        assertThat(pb.shards()).extracting(Object::toString).containsExactly("http://127.0.0.1:1", "http://127.0.0.1:2");
    }

    @Test
    void aLeftoverTempFile_isIgnored_andADamagedFileStopsTheStart() throws Exception {
        open().put("jobs", spec("jobs", 1.0));
        Files.writeString(dir.resolve("corpora.json.tmp"), "{\"format\":1,\"corp");   // a write killed before its rename
        assertThat(open().list()).hasSize(1);
        assertThat(Files.exists(dir.resolve("corpora.json.tmp"))).isFalse();
        Files.writeString(dir.resolve("corpora.json"), "{\"format\":1,\"corpora\":[{\"na");
        assertThat(catchThrowable(this::open)).isInstanceOf(IllegalStateException.class).hasMessageContaining("corpora.json");
    }

    @Test
    void unknownCorpus_is404() {
        assertThat(catchThrowable(() -> open().require("nope"))).hasMessageContaining("not registered");
    }
}
