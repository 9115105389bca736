package dev.lakehouse.matrixd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChunkerTest {
    final Chunker chunker = new Chunker(100, 20);

    @Test
    void aShortText_isOneChunk_andBlankIsNone() {
        assertThat(chunker.chunks("  One sentence.  ")).containsExactly("One sentence.");
        assertThat(chunker.chunks("   ")).isEmpty();
    }

    @Test
    void chunks_areAtMostTheSize_cutAtSentenceEnds_andOverlap() {
        String text = "The forklift shift starts at six. ".repeat(12);
        List<String> chunks = chunker.chunks(text);
        assertThat(chunks).hasSizeGreaterThan(3);
        for (String c : chunks) {
            assertThat(c.length()).isLessThanOrEqualTo(100);
            assertThat(c).endsWith(".");
        }
        String head = chunks.get(1).substring(0, 12);
        assertThat(chunks.get(0).substring(chunks.get(0).length() - 40)).as("the next chunk begins inside the previous one's end")
                .contains(head);
    }

    @Test
    void aTextWithoutSpaces_isCutHard_withoutSplittingASurrogatePair() {
        String text = "\ud83d\ude00".repeat(120);
        List<String> chunks = chunker.chunks(text);
        for (String c : chunks) {
            assertThat(Character.isLowSurrogate(c.charAt(0))).isFalse();
            assertThat(Character.isHighSurrogate(c.charAt(c.length() - 1))).isFalse();
        }
        assertThat(String.join("", chunks).length()).isGreaterThanOrEqualTo(text.length());
    }

    @Test
    void aLongText_givesChunksInProportion_oneWindowEach() {
        String text = "word ".repeat(200_000);   // 1,000,000 characters
        List<String> chunks = chunker.chunks(text);
        assertThat(chunks.size()).isBetween(text.length() / 100, text.length() / 70);
    }
}
