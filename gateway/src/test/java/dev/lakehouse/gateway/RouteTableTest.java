package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.DaemonId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTableTest {
    @ParameterizedTest
    @CsvSource({"/v1/embed,EMBEDD,embed", "/v1/embeddings,EMBEDD,embed", "/v1/indexes/jobs/search,VECTORD,indexes",
            "/v1/chat,CHATD,chat", "/v1/chat/completions,CHATD,chat", "/v1/providers,CHATD,chat", "/v1/matrix/retrieve,MATRIXD,matrix",
            "/v1/memory/abc/history,PATHWAYD,memory", "/v1/validate,VALIDATORD,validate", "/v1/iterate,VALIDATORD,validate",
            "/v1/roster/stats,VALIDATORD,validate", "/v1/truth/claims,TRUTHD,truth", "/v1/observe/events,OBSERVERD,observe",
            "/v1/journal/verify,JOURNALD,journal", "/v1/distill/runs,DISTILLD,distill",
            "/v1/journal/erasures,JOURNALD,privacy", "/v1/memory/erasures,PATHWAYD,privacy", "/v1/truth/erasures,TRUTHD,privacy",
            "/v1/embed/erasures,EMBEDD,privacy", "/v1/journal/erasuresx,JOURNALD,journal", "/v1/memory/erasures2,PATHWAYD,memory"})
    void prefixes_routeToTheirDaemon(String path, DaemonId daemon, String scope) {
        RouteTable.Route r = RouteTable.route(path).orElseThrow();
        assertThat(r.daemon()).isEqualTo(daemon);
        assertThat(r.scope()).isEqualTo(scope);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/models", "/v1/status"})
    void gatewayAnswersItself(String path) {
        assertThat(RouteTable.route(path).orElseThrow().daemon()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/embedx", "/v1/chatter", "/v1", "/v1/", "/admin", "/v2/embed"})
    void prefixesMatchWholeSegmentsOnly(String path) {
        assertThat(RouteTable.route(path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/embed/../chat", "/v1/../admin", "/v1/./embed", "/v1/embed%2F..%2Fchat", "/v1/embed%2fx",
            "/v1/embed%2e%2e", "/v1/embed%5cchat", "/v1\\chat", "/v1//chat", "/v1/embed%00"})
    void traversal_isRefused(String path) {
        assertThatThrownBy(() -> RouteTable.route(path)).isInstanceOfSatisfying(ApiException.BadRequest.class,
                e -> assertThat(e.code()).isEqualTo("invalid_path"));
    }
}
