package dev.lakehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What may be copied, against a list written from the daemons' own routes (docs/*.md), not from the policy's patterns:
 * every state-changing route of every daemon is a write, every paid call paid, and only what reads is read.
 */
class ShadowPolicyTest {
    static final String[][] LABELLED = {
            // reads: GET/HEAD anywhere, and the POSTs that only read
            {"GET", "/v1/memory/m1", "READ"}, {"HEAD", "/v1/indexes/jobs", "READ"}, {"GET", "/v1/journal/entries", "READ"},
            {"GET", "/v1/providers", "READ"}, {"GET", "/v1/chat", "READ"},
            {"POST", "/v1/validate", "READ"}, {"POST", "/v1/matrix/retrieve", "READ"}, {"POST", "/v1/memory/search", "READ"},
            {"POST", "/v1/indexes/jobs/search", "READ"}, {"POST", "/v1/truth/resolve", "READ"}, {"POST", "/v1/embed", "READ"},
            {"POST", "/v1/embeddings", "READ"},
            // paid
            {"POST", "/v1/chat", "PAID"}, {"POST", "/v1/chat/completions", "PAID"}, {"POST", "/v1/iterate", "PAID"},
            // writes of every daemon
            {"POST", "/v1/memory", "WRITE"}, {"PUT", "/v1/memory/m1", "WRITE"}, {"DELETE", "/v1/memory/m1", "WRITE"},
            {"POST", "/v1/indexes", "WRITE"}, {"DELETE", "/v1/indexes/jobs", "WRITE"}, {"POST", "/v1/indexes/jobs/points", "WRITE"},
            {"POST", "/v1/indexes/jobs/snapshot", "WRITE"}, {"POST", "/v1/truth/claims", "WRITE"}, {"POST", "/v1/truth/trust", "WRITE"},
            {"POST", "/v1/journal/entries", "WRITE"}, {"POST", "/v1/observe/events", "WRITE"}, {"POST", "/v1/distill/runs", "WRITE"},
            {"POST", "/v1/distill/replays", "WRITE"}, {"POST", "/v1/matrix/corpora", "WRITE"},
            {"POST", "/v1/matrix/corpora/jobs/documents", "WRITE"}, {"DELETE", "/v1/matrix/corpora/jobs", "WRITE"},
            {"PUT", "/v1/validate", "WRITE"}, {"PATCH", "/v1/memory/m1", "WRITE"},
            // near misses of the read-only list
            {"POST", "/v1/validatex", "WRITE"}, {"POST", "/v1/memory/search/x", "WRITE"}, {"POST", "/v1/indexes//search", "WRITE"},
            {"POST", "/v1/indexes/a/b/search", "WRITE"}, {"POST", "/v1/embed/x", "WRITE"}, {"POST", "/v1/matrix/retrieve/", "WRITE"},
            {"DELETE", "/v1/memory/search", "WRITE"}, {"POST", "/v1/chatter", "WRITE"}};

    @Test
    void everyLabelledRequest_isWhatItsDaemonSaysItIs() {
        int wrong = 0;
        StringBuilder why = new StringBuilder();
        for (String[] c : LABELLED) {
            ShadowPolicy.Kind got = ShadowPolicy.of(c[0], c[1]);
            if (!got.name().equals(c[2])) {
                wrong++;
                why.append(c[0]).append(' ').append(c[1]).append(": ").append(got).append(", labelled ").append(c[2]).append('\n');
            }
        }
        System.out.printf("shadow policy: %d labelled requests, %d misclassified%n", LABELLED.length, wrong);
        assertThat(wrong).as(why.toString()).isZero();
    }
}
