package dev.lakehouse.matrixd;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a document into overlapping chunks of at most {@code size} characters,
 * cutting at a sentence end when one lies in the last third of the window, else at
 * a space, else hard; each next chunk starts {@code overlap} characters before the
 * previous one ended (moved forward to a word start). Deterministic; one pass, so
 * linear in the text; never cuts a surrogate pair. Characters, not tokens: the
 * local model reads at most 256 word pieces, about 1,000 characters of English, so
 * the default 800 fits.
 */
final class Chunker {
    private final int size;
    private final int overlap;

    Chunker(int size, int overlap) {
        if (size < 50 || overlap < 0 || overlap >= size / 2) {
            throw new IllegalArgumentException("chunk size must be at least 50 and overlap under half of it");
        }
        this.size = size;
        this.overlap = overlap;
    }

    /** The longest chunk, in characters. */
    int size() {
        return size;
    }

    List<String> chunks(String text) {
        List<String> out = new ArrayList<>();
        int start = skipSpace(text, 0);
        while (start < text.length()) {
            int end = Math.min(text.length(), start + size);
            if (end < text.length()) {
                end = cut(text, start, end);
            }
            String chunk = text.substring(start, end).strip();
            if (!chunk.isEmpty()) {
                out.add(chunk);
            }
            if (end >= text.length()) {
                break;
            }
            int next = Math.max(end - overlap, start + 1);
            while (next < end && !Character.isWhitespace(text.charAt(next - 1))) {
                next++;   // start the overlap at a word
            }
            start = skipSpace(text, next);
        }
        return out;
    }

    /** The best end in (start, end]: a sentence end in the window's last third, else the last space, else end. */
    private int cut(String text, int start, int end) {
        int floor = start + (end - start) * 2 / 3;
        for (int i = end - 1; i > floor; i--) {
            char c = text.charAt(i - 1);
            if ((c == '.' || c == '!' || c == '?' || c == '\n') && Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        for (int i = end - 1; i > start; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return Character.isLowSurrogate(text.charAt(end)) ? end - 1 : end;
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
