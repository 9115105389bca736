package dev.lakehouse.distilld;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which retrieved passages an accepted answer used (docs/distilld.md, "export RAG"): the evidence behind a qrel's 1. A
 * passage is <em>used</em> when the answer cites it — {@code [n]} or "passage n" for its place n in the numbered list
 * the retrieval template shows — or when answer and passage share a run of at least {@code L} consecutive words
 * (lower case, letters and digits), {@code L = min(5, max(2, ⌈w/2⌉))} for a passage of {@code w} words: half of a short
 * passage, five words of a long one — or when the answer has at least three, and at least half, of the passage's
 * distinct content words (three letters or more, not a stop word: a paraphrase). A passage retrieved but not used is a
 * hard negative (0). Linear in the texts.
 */
final class RagLabels {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private RagLabels() {
    }

    /** Whether the answer used the passage at {@code position} (1-based) of the list it was shown. */
    static boolean used(String answer, int position, String passage) {
        if (answer == null || answer.isBlank() || passage == null) {
            return false;
        }
        String a = answer.toLowerCase(Locale.ROOT);
        if (a.contains("[" + position + "]") || Pattern.compile("\\bpassages?\\s+" + position + "\\b").matcher(a).find()) {
            return true;
        }
        List<String> p = words(passage);
        if (p.isEmpty()) {
            return false;
        }
        int run = Math.min(5, Math.max(2, (p.size() + 1) / 2));
        if (p.size() < run) {
            return false;
        }
        Set<String> grams = new HashSet<>();
        for (int i = 0; i + run <= p.size(); i++) {
            grams.add(String.join(" ", p.subList(i, i + run)));
        }
        List<String> w = words(answer);
        for (int i = 0; i + run <= w.size(); i++) {
            if (grams.contains(String.join(" ", w.subList(i, i + run)))) {
                return true;
            }
        }
        Set<String> content = new HashSet<>();
        p.stream().filter(RagLabels::content).forEach(content::add);
        Set<String> said = new HashSet<>(w);
        long shared = content.stream().filter(said::contains).count();
        return shared >= 3 && shared * 2 >= content.size();
    }

    private static final Set<String> STOP = Set.of("the", "and", "for", "are", "was", "were", "with", "that", "this", "from", "you",
            "your", "has", "have", "had", "not", "but", "all", "any", "can", "will", "its", "our", "who", "what", "when", "where",
            "which", "there", "their", "they", "them", "his", "her", "she", "him", "one", "per", "into", "than", "then", "also");

    private static boolean content(String word) {
        return word.length() >= 3 && word.chars().allMatch(Character::isLetter) && !STOP.contains(word);
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        var m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /**
     * The split of a query: {@code test} for about one in five (by its id's first two hex digits) and always for the
     * first query of a run, so a run with any query has a held-out split BEIR's default loads; {@code train} otherwise.
     */
    static String split(String queryId, boolean first) {
        int h;
        try {
            h = Integer.parseInt(queryId.substring(0, 2), 16);
        } catch (RuntimeException notHex) {
            h = queryId.hashCode() & 0xff;
        }
        return first || h % 5 == 0 ? "test" : "train";
    }
}
