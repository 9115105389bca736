package dev.lakehouse.matrixd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.PeerClient;
import dev.lakehouse.common.testing.StubServer;
import org.junit.jupiter.api.Test;

/** The vector passed on as embedd wrote it: numbers copied as text; an answer that is not a vector is embedd's error. */
class EmbeddClientTest {
    static String answerOnce(String answer) throws Exception {
        HttpServer s = StubServer.start(x -> StubServer.answer(x, 200, answer));
        try {
            PeerClient peer = new PeerClient("embedd", java.net.URI.create(StubServer.url(s)), PeerClient.Options.defaults());
            return new String(new EmbeddClient(peer).embedJson("q"), StandardCharsets.US_ASCII);
        } finally {
            s.stop(0);
        }
    }

    @Test
    void theNumbers_areCopiedAsWritten() throws Exception {
        assertThat(answerOnce("{\"model\":\"m\",\"dims\":4,\"embeddings\":[[0.125,-1.0E-5,3,1e2]],\"cache_hits\":1}"))
                .isEqualTo("[0.125,-1.0E-5,3,1e2]");
        assertThat(answerOnce("{\"embeddings\":[[1,2]],\"model\":\"m\",\"extra\":{\"a\":[1,{\"b\":2}]}}")).isEqualTo("[1,2]");
    }

    @Test
    void anAnswerThatIsNotAVector_isEmbeddsError() {
        for (String bad : new String[] {"[]", "{}", "{\"embeddings\":[]}", "{\"embeddings\":[[]]}", "{\"embeddings\":[[\"x\"]]}",
                "{\"embeddings\":[[1,null]]}", "{\"embeddings\":[[1,2", "{\"embeddings\":\"b64\"}", "nope"}) {
            assertThatThrownBy(() -> answerOnce(bad)).as(bad).isInstanceOf(ApiException.class)
                    .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo("peer_error"));
        }
    }
}
