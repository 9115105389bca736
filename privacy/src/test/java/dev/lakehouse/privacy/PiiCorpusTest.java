package dev.lakehouse.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detector against the labelled corpus {@code pii-corpus.jsonl} (311 sentences written for this test, its labels
 * made with the sentences, never by the detector): positives of every written form, hard negatives (order numbers,
 * ZIP+4, dates, worker ids, invalid SSNs, prices), and roster contacts written without a cue. Recall and precision per
 * type are printed and written to {@code target/pii-corpus.txt}; docs/privacy.md quotes them.
 */
class PiiCorpusTest {
    /** The three roster workers whose contacts the corpus writes without a cue. */
    static final RosterContacts ROSTER = RosterContacts.of(List.of(
            new RosterContacts.Contact("W000101", "614-555-0142", "maria.garcia1@example.com"),
            new RosterContacts.Contact("W000102", "212-555-0199", "john.smith2@example.com"),
            new RosterContacts.Contact("W000103", "(415) 555-0132", "ana.lopez3@example.com")));

    record Labelled(String text, Set<String> expected) {
    }

    static List<Labelled> corpus;

    @BeforeAll
    static void read() throws IOException {
        corpus = new ArrayList<>();
        // the corpus is JSON lines of {"text": "...", "expect": [{"type","value"}]}; read with a small reader of its own
        // so the test has no dependency the module lacks
        Pattern text = Pattern.compile("\"text\": \"((?:[^\"\\\\]|\\\\.)*)\"");
        Pattern label = Pattern.compile("\\{\"type\": \"([a-z]+)\", \"value\": \"([^\"]*)\"}");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                PiiCorpusTest.class.getResourceAsStream("/pii-corpus.jsonl"), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                Matcher t = text.matcher(line);
                assertThat(t.find()).as(line).isTrue();
                Set<String> expected = new HashSet<>();
                Matcher l = label.matcher(line);
                while (l.find()) {
                    expected.add(l.group(1) + ":" + l.group(2));
                }
                corpus.add(new Labelled(unescape(t.group(1)), expected));
            }
        }
    }

    static String unescape(String json) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\\') {
                char n = json.charAt(++i);
                if (n == 'u') {
                    sb.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                } else {
                    sb.append(n);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@code contains} answers as {@code find} does, for every text of the corpus and every type. */
    @Test
    void contains_answersAsFindDoes_onEveryTextOfTheCorpus() {
        PiiDetector detector = new PiiDetector(ROSTER);
        for (Labelled l : corpus) {
            List<Finding> found = detector.find(l.text());
            for (PiiType type : PiiType.values()) {
                assertThat(detector.contains(l.text(), type)).as(type + " in " + l.text())
                        .isEqualTo(found.stream().anyMatch(f -> f.type() == type));
            }
        }
    }

    /**
     * {@code contains} answers as {@code find} does on 20,000 random texts made to put identifiers' shapes against each
     * other: SSN-shaped numbers inside, beside and across phone numbers, with and without cues, separators of every kind,
     * '+' prefixes and e-mails — where a shortcut that misjudged which finding keeps a span would show.
     */
    @Test
    void contains_answersAsFindDoes_onRandomTextsOfOverlappingShapes() {
        PiiDetector detector = new PiiDetector(ROSTER);
        String[] words = {"SSN", "ssn:", "social security", "phone", "call", "order #", "zip", "my number is", "and", "or", "x",
                "ext.", "+1", "+44", "@", "maria.garcia1@example.com", "(614)", "555", "0142", "614-555-0142", "219-09-9999",
                "219099999", "2190999991", "078-05-1120", "123-45-6789", "-", ".", " ", "  ", "/", "(", ")", "\u2013"};
        java.util.Random random = new java.util.Random(35);
        int withSsn = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = 1 + random.nextInt(12); n > 0; n--) {
                if (random.nextInt(3) == 0) {
                    for (int d = 1 + random.nextInt(11); d > 0; d--) {
                        text.append((char) ('0' + random.nextInt(10)));
                    }
                } else {
                    text.append(words[random.nextInt(words.length)]);
                }
                if (random.nextBoolean()) {
                    text.append(' ');
                }
            }
            String t = text.toString();
            List<Finding> found = detector.find(t);
            withSsn += found.stream().anyMatch(f -> f.type() == PiiType.SSN) ? 1 : 0;
            for (PiiType type : PiiType.values()) {
                assertThat(detector.contains(t, type)).as(type + " in " + t).isEqualTo(found.stream().anyMatch(f -> f.type() == type));
            }
        }
        assertThat(withSsn).as("texts the random mix gave an SSN").isGreaterThan(1_000);
    }

    @Test
    void corpus_recallIsOneAndPrecisionAtLeast95PercentPerType() throws IOException {
        PiiDetector detector = new PiiDetector(ROSTER);
        Map<PiiType, int[]> counts = new EnumMap<>(PiiType.class);   // tp, fn, fp
        for (PiiType t : PiiType.values()) {
            counts.put(t, new int[3]);
        }
        List<String> misses = new ArrayList<>();
        int positives = 0;
        for (Labelled l : corpus) {
            Set<String> found = new HashSet<>();
            detector.find(l.text()).forEach(f -> found.add(f.type() + ":" + f.value()));
            positives += l.expected().isEmpty() ? 0 : 1;
            for (String e : l.expected()) {
                PiiType t = PiiType.valueOf(e.substring(0, e.indexOf(':')).toUpperCase(Locale.ROOT));
                if (found.contains(e)) {
                    counts.get(t)[0]++;
                } else {
                    counts.get(t)[1]++;
                    misses.add("missed " + e + " in: " + l.text());
                }
            }
            for (String f : found) {
                if (!l.expected().contains(f)) {
                    counts.get(PiiType.valueOf(f.substring(0, f.indexOf(':')).toUpperCase(Locale.ROOT)))[2]++;
                    misses.add("false " + f + " in: " + l.text());
                }
            }
        }
        StringBuilder report = new StringBuilder("sentences " + corpus.size() + " (with identifiers " + positives + ", without "
                + (corpus.size() - positives) + ")\n");
        counts.forEach((t, c) -> report.append(String.format(Locale.ROOT, "%-6s labelled %3d  found %3d  missed %d  false %d  recall %.3f"
                + "  precision %.3f%n", t, c[0] + c[1], c[0], c[1], c[2], ratio(c[0], c[0] + c[1]), ratio(c[0], c[0] + c[2]))));
        misses.forEach(m -> report.append(m).append('\n'));
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "pii-corpus.txt"), report);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(300);
        counts.forEach((t, c) -> {
            assertThat(ratio(c[0], c[0] + c[1])).as("recall of " + t + "\n" + report).isEqualTo(1.0);
            assertThat(ratio(c[0], c[0] + c[2])).as("precision of " + t + "\n" + report).isGreaterThanOrEqualTo(0.95);
        });
    }

    private static double ratio(int a, int b) {
        return b == 0 ? 1.0 : (double) a / b;
    }
}
