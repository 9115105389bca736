package dev.lakehouse.matrixd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;

/**
 * The dictionary pass of the role extractor: which of the roster's roles a query
 * names, in the order it names them. The query is cut into lower-case words
 * (letters and digits); a role matches where one of its phrases
 * ({@code role-synonyms.json}: "forklift driver", "cdl a", "hvac tech"…) stands as
 * consecutive words, a word also matching its plural (a trailing {@code s} or
 * {@code es}) and, for words of five letters or more, one edit away (an insertion,
 * deletion, substitution or swap of neighbours: "forklfit", "janiter"). At each word
 * the longest phrase wins and matching goes on after it.
 *
 * <p>Work: words × phrases × phrase length, each comparison bounded by the word's
 * length — linear in the query for a fixed dictionary. Immutable; thread-safe.
 */
final class RoleExtractor {
    /** Words at most this many are read: a role is named near the start of any real query. */
    static final int MAX_WORDS = 400;

    private record Phrase(String role, String[] words) {
    }

    private final List<Phrase> phrases;

    private RoleExtractor(List<Phrase> phrases) {
        this.phrases = phrases;
    }

    static RoleExtractor standard() {
        try (InputStream in = RoleExtractor.class.getResourceAsStream("role-synonyms.json")) {
            JsonNode root = Json.mapper().readTree(in);
            List<Phrase> phrases = new ArrayList<>();
            root.path("synonyms").fields().forEachRemaining(e -> e.getValue()
                    .forEach(p -> phrases.add(new Phrase(e.getKey(), words(p.asText()).toArray(String[]::new)))));
            phrases.sort(Comparator.comparingInt((Phrase p) -> -p.words().length));   // longest first
            return new RoleExtractor(List.copyOf(phrases));
        } catch (IOException e) {
            throw new UncheckedIOException("matrixd's role-synonyms.json is missing or broken", e);
        }
    }

    /** The roles the query names, each once, in order of first mention. */
    List<String> roles(String query) {
        List<String> words = words(query);
        LinkedHashSet<String> found = new LinkedHashSet<>();
        int i = 0;
        while (i < words.size()) {
            Phrase match = null;
            for (Phrase p : phrases) {
                if (matchesAt(words, i, p.words())) {
                    match = p;
                    break;   // longest first
                }
            }
            if (match == null) {
                i++;
            } else {
                found.add(match.role());
                i += match.words().length;
            }
        }
        return List.copyOf(found);
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < text.length() && out.size() < MAX_WORDS; i++) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                w.append(Character.toLowerCase(c));
            } else if (!w.isEmpty()) {
                out.add(w.toString());
                w.setLength(0);
            }
        }
        if (!w.isEmpty() && out.size() < MAX_WORDS) {
            out.add(w.toString());
        }
        return out;
    }

    private static boolean matchesAt(List<String> words, int at, String[] phrase) {
        if (at + phrase.length > words.size()) {
            return false;
        }
        for (int j = 0; j < phrase.length; j++) {
            if (!wordMatches(words.get(at + j), phrase[j])) {
                return false;
            }
        }
        return true;
    }

    static boolean wordMatches(String word, String key) {
        if (word.equals(key) || plural(word, key)) {
            return true;
        }
        return key.length() >= 5 && (withinOneEdit(word, key) || word.endsWith("s") && withinOneEdit(word.substring(0, word.length() - 1), key));
    }

    private static boolean plural(String word, String key) {
        return word.length() == key.length() + 1 && word.startsWith(key) && word.endsWith("s")
                || word.length() == key.length() + 2 && word.startsWith(key) && word.endsWith("es");
    }

    /** One insertion, deletion, substitution or swap of neighbours apart (Damerau), in one pass. */
    static boolean withinOneEdit(String a, String b) {
        int la = a.length();
        int lb = b.length();
        if (Math.abs(la - lb) > 1) {
            return false;
        }
        int i = 0;
        while (i < la && i < lb && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        if (i == la && i == lb) {
            return true;
        }
        if (la == lb) {
            return a.substring(i + 1).equals(b.substring(i + 1))
                    || i + 1 < la && a.charAt(i) == b.charAt(i + 1) && a.charAt(i + 1) == b.charAt(i) && a.substring(i + 2).equals(b.substring(i + 2));
        }
        return la > lb ? a.substring(i + 1).equals(b.substring(i)) : a.substring(i).equals(b.substring(i + 1));
    }
}
