package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The erasure matcher against a labelled list written for it: one subject (worker W000123, Ana Ruiz, 614-555-0101,
 * SSN 123-45-6789, ana.ruiz@example.com), its identifiers in the forms people write them, and near misses that name
 * someone else.
 */
class SubjectIdentifiersTest {
    static final SubjectIdentifiers ANA = SubjectIdentifiers.of(List.of("W000123", "Ana Ruiz", "(614) 555-0101", "123-45-6789",
            "Ana.Ruiz@Example.com"));

    @ParameterizedTest(name = "names her: {0}")
    @ValueSource(strings = {
        "worker W000123 was placed", "w000123", "id=W000123;", "[W000123]",
        "Ana Ruiz prefers nights", "ANA RUIZ", "ana  ruiz", "Ana\nRuiz", "contact: Ana Ruiz.",
        "call 614-555-0101", "614.555.0101", "(614) 555 0101", "+1 614 555 0101", "16145550101", "6145550101 ext 2",
        "phone:614/555-0101", "ssn 123-45-6789", "123 45 6789", "123456789", "123.45.6789",
        "mail ana.ruiz@example.com", "ANA.RUIZ@EXAMPLE.COM", "<Ana.Ruiz@example.com>",
        "{\"worker_id\":\"W000123\"}", "{\"phone\":\"614 555 0101\"}"})
    void matches_everyFormOfHerIdentifiers(String text) {
        assertThat(ANA.matches(text)).as(text).isTrue();
    }

    @ParameterizedTest(name = "someone else: {0}")
    @ValueSource(strings = {
        "worker W000124", "W0001234", "XW000123", "W000123X", "W00012", "Anabel Ruizz", "Ana Ruizdorf", "Dana Ruiz",
        "Ana went to Ruiz's store", "614-555-0102", "614-555-010", "123-45-6780", "12345678",
        "ana.ruiz@example.org", "bana.ruiz@example.co", "", "night shift forklift operator"})
    void doesNotMatch_nearMisses(String text) {
        assertThat(ANA.matches(text)).as(text).isFalse();
    }

    @ParameterizedTest(name = "refused: {0}")
    @CsvSource(delimiter = '|', value = {"123|3 digits", "Ana|single word", "614-555|7 to 15", "a@b|e-mail",
        "A B|two letters", "1234567890123456|16 digits"})
    void anIdentifierTooShortToBeSpecific_isRefused(String id, String why) {
        assertThatThrownBy(() -> SubjectIdentifiers.of(List.of("W000123", id))).isInstanceOf(SubjectIdentifiers.NotSpecific.class)
                .satisfies(e -> assertThat(((SubjectIdentifiers.NotSpecific) e).index()).isEqualTo(1));
    }

    @Test
    void theFingerprint_isTheSameForTheSameSubjectWrittenOtherwise_andNeverHoldsAnIdentifier() {
        String a = ANA.fingerprint();
        String b = SubjectIdentifiers.of(List.of("ana.ruiz@example.com", "w000123", "614.555.0101", "123 45 6789", "ANA RUIZ"))
                .fingerprint();
        assertThat(a).isEqualTo(b).hasSize(64).doesNotContain("123");
        assertThatThrownBy(() -> SubjectIdentifiers.of(List.of())).isInstanceOf(SubjectIdentifiers.NotSpecific.class);
        // linear: a long run of digits and separators, and a long text with no identifier
        assertThat(ANA.matches("1 ".repeat(200_000))).isFalse();
        assertThat(ANA.matches("Ana ".repeat(200_000))).isFalse();
    }

    @ParameterizedTest(name = "masked in place: {0}")
    @ValueSource(strings = {
        "worker W000123 was placed", "Ana Ruiz prefers nights", "call 614-555-0101 or +1 (614) 555-0101", "ssn 123 45 6789",
        "mail ANA.RUIZ@example.com", "{\"text\":\"Ana Ruiz, W000123, 614.555.0101\",\"n\":\"\\u00016145550101\"}",
        "Ana Ruiz — Zoë's friend ☃ 614-555-0101 𝄞"})
    void mask_keepsTheLengthInBytes_andLeavesNothingTheIndependentScanFinds(String text) throws Exception {
        String masked = ANA.mask(text);
        assertThat(masked.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSameSizeAs(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(ANA.matches(masked)).as(masked).isFalse();
        List<byte[]> needles = ErasureScan.needles(ANA.identifiers());
        assertThat(ErasureScan.count(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), needles))
                .as("the oracle sees her in the original").isPositive();
        assertThat(ErasureScan.count(new java.io.ByteArrayInputStream(masked.getBytes(java.nio.charset.StandardCharsets.UTF_8)), needles))
                .as("the oracle finds nothing once masked: " + masked).isZero();
        if (text.startsWith("{")) {
            assertThat(Json.mapper().readTree(masked).path("n").asText()).as("an escape is never cut").startsWith("\u0001");
        }
    }

    @Test
    void mask_leavesWhatNamesSomeoneElse() {
        String other = "Dana Ruiz, W000124, 614-555-0102";
        assertThat(ANA.mask(other)).isEqualTo(other);
        assertThat(ANA.mask("W000123 and W000124")).isEqualTo("******* and W000124");
    }

    @ParameterizedTest(name = "any case, the fast path too: {0}")
    @ValueSource(strings = {"KIM.LEE@EXAMPLE.COM", "K\u0130M.LEE@example.com", "k\u0131m.lee@example.com", "Kim LEE", "KIM\tlee",
        "w000777", "x yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy Kim Lee"})
    void theAnchorShortCut_neverMissesWhatThePatternMatches(String text) {
        SubjectIdentifiers kim = SubjectIdentifiers.of(List.of("kim.lee@example.com", "Kim Lee", "W000777"));
        boolean expected = java.util.regex.Pattern.compile("kim\\.lee@example\\.com", java.util.regex.Pattern.CASE_INSENSITIVE
                | java.util.regex.Pattern.UNICODE_CASE).matcher(text).find()
                || java.util.regex.Pattern.compile("(?<!\\p{L})kim\\s+lee(?!\\p{L})", java.util.regex.Pattern.CASE_INSENSITIVE
                | java.util.regex.Pattern.UNICODE_CASE).matcher(text).find()
                || text.toUpperCase(java.util.Locale.ROOT).contains("W000777");
        assertThat(expected).as("the oracle sees it").isTrue();
        assertThat(kim.matches(text)).as(text).isTrue();
    }
}
