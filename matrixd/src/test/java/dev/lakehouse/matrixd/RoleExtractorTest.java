package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dictionary pass on the labelled set ({@code role-queries.tsv}: 240 staffing
 * queries, 20 naming no role and 10 naming two), scored over (query, role) pairs:
 * precision = right roles found / roles found, recall = right roles found / roles
 * named. The figures are printed and held to a floor.
 */
class RoleExtractorTest {
    final RoleExtractor extractor = RoleExtractor.standard();

    record Labelled(String query, List<String> roles) {
    }

    static List<Labelled> labelled() throws IOException {
        try (InputStream in = RoleExtractorTest.class.getResourceAsStream("/role-queries.tsv")) {
            List<Labelled> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\t", -1);
                out.add(new Labelled(parts[0], parts[1].isEmpty() ? List.of() : Arrays.asList(parts[1].split(","))));
            }
            return out;
        }
    }

    @Test
    void theDictionaryPass_onTheLabelledSet_isPreciseAndFindsNearlyEveryRole() throws IOException {
        List<Labelled> set = labelled();
        assertThat(set).hasSizeGreaterThanOrEqualTo(200);
        int found = 0;
        int right = 0;
        int named = 0;
        int exact = 0;
        List<String> misses = new ArrayList<>();
        for (Labelled l : set) {
            List<String> got = extractor.roles(l.query());
            found += got.size();
            named += l.roles().size();
            right += (int) got.stream().filter(l.roles()::contains).count();
            if (got.equals(l.roles())) {
                exact++;
            } else {
                misses.add(l.query() + " → " + got + " (labelled " + l.roles() + ")");
            }
        }
        double precision = (double) right / found;
        double recall = (double) right / named;
        System.out.printf("role extractor, dictionary pass: %d queries, precision %.3f, recall %.3f, exact %d/%d%n",
                set.size(), precision, recall, exact, set.size());
        misses.forEach(m -> System.out.println("  " + m));
        assertThat(precision).as(String.join("\n", misses)).isGreaterThanOrEqualTo(0.95);
        assertThat(recall).as(String.join("\n", misses)).isGreaterThanOrEqualTo(0.95);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "forklfit|forklift|true",
        "forklifts|forklift|true",
        "janiter|janitor|true",
        "welders|welder|true",
        "weldr|welder|true",
        "welder|wonder|false",
        "labor|laborer|false",
        "cdl|cdx|false",
        "electrican|electrician|true",
        "machinsit|machinist|true",
        "forklift|forkliftxx|false"})
    void words_matchPluralsAndOneEditOfLongWords(String word, String key, boolean match) {
        assertThat(RoleExtractor.wordMatches(word, key)).isEqualTo(match);
    }

    @Test
    void rolesComeInOrderOfMention_andALongQueryIsReadOnlyToItsLimit() {
        assertThat(extractor.roles("a dishwasher, then two line cooks")).containsExactly("dishwasher", "line cook");
        assertThat(extractor.roles("CDL-A driver")).containsExactly("cdl driver");
        assertThat(extractor.roles("word ".repeat(10_000) + "welder")).isEmpty();
    }
}
