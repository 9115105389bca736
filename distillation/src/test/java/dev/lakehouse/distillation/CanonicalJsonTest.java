package dev.lakehouse.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;
import org.junit.jupiter.api.Test;

/**
 * The canonical bytes, written with Jackson's sorted-properties feature, against an independent encoding: a sorted copy
 * of the tree built key by key, then written plainly — on a known document and on thousands of random ones (keys of
 * every case, digits, escapes, characters beyond the BMP; every kind of number; nesting).
 */
class CanonicalJsonTest {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void aKnownDocument_hasItsKeysSortedAtEveryDepth_andNoWhitespace() {
        JsonNode doc = Json.parse("{\"b\":1,\"a\":{\"d\":[{\"z\":1,\"y\":2.5}],\"c\":null,\"B\":\"é\\n\"},\"\":[]}".getBytes(), JsonNode.class);
        assertThat(CanonicalJson.utf8(CanonicalJson.bytes(doc)))
                .isEqualTo("{\"\":[],\"a\":{\"B\":\"é\\n\",\"c\":null,\"d\":[{\"y\":2.5,\"z\":1}]},\"b\":1}");
    }

    @Test
    void randomDocuments_encodeAsTheirSortedCopy_byteForByte() {
        Random rnd = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            JsonNode built = node(rnd, 0);
            assertThat(CanonicalJson.bytes(built)).as(built.toString()).isEqualTo(Json.bytes(CanonicalJson.sorted(built)));
            JsonNode doc = Json.parse(Json.bytes(built), JsonNode.class);   // numbers as parsing gives them, as distilld reads them
            byte[] expected = Json.bytes(CanonicalJson.sorted(doc));
            assertThat(CanonicalJson.bytes(doc)).as(doc.toString()).isEqualTo(expected);
            assertThat(CanonicalJson.bytes(Json.parse(expected, JsonNode.class))).as("encoding a canonical document again").isEqualTo(expected);
        }
    }

    /**
     * A thread keeps its generator between documents; one that fails in the middle of a document (a value Jackson cannot
     * write) must not leave its half-written state to the next: the next documents encode as on a fresh thread.
     */
    @Test
    void aDocumentThatFailsToEncode_leavesNothingBehindForTheNext() {
        ObjectNode broken = F.objectNode().put("a", 1);
        broken.putObject("b").put("c", "half").set("d", F.pojoNode(new Object() { }));   // an empty bean: Jackson refuses it
        JsonNode next = Json.parse("{\"z\":[1,{\"y\":\"x\"}],\"a\":true}".getBytes(), JsonNode.class);
        byte[] expected = Json.bytes(CanonicalJson.sorted(next));
        for (int i = 0; i < 3; i++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> CanonicalJson.bytes(broken)).isInstanceOf(RuntimeException.class);
            assertThat(CanonicalJson.bytes(next)).as("after failure " + (i + 1)).isEqualTo(expected);
            assertThat(CanonicalJson.bytes(next)).as("and again").isEqualTo(expected);
        }
    }

    @Test
    void aValueEncodedOnce_splicedInFirst_isTheWholeDocumentsEncoding() {
        Random rnd = new Random(9);
        for (int i = 0; i < 5_000; i++) {
            JsonNode value = node(rnd, 1);
            ObjectNode rest = F.objectNode();
            for (int k = rnd.nextInt(4); k > 0; k--) {
                rest.set("m" + key(rnd), node(rnd, 2));   // every key after "\u0001": the spliced name sorts first
            }
            ObjectNode whole = rest.deepCopy();
            whole.set("\u0001", value);
            assertThat(CanonicalJson.withFirst("\u0001", CanonicalJson.bytes(value), CanonicalJson.bytes(rest)))
                    .as(whole.toString()).isEqualTo(Json.bytes(CanonicalJson.sorted(whole)));
        }
    }

    static JsonNode node(Random rnd, int depth) {
        int kind = depth > 4 ? 2 + rnd.nextInt(7) : rnd.nextInt(9);
        return switch (kind) {
            case 0 -> {
                ObjectNode o = F.objectNode();
                for (int k = rnd.nextInt(7); k > 0; k--) {
                    o.set(key(rnd), node(rnd, depth + 1));
                }
                yield o;
            }
            case 1 -> {
                ArrayNode a = F.arrayNode();
                for (int k = rnd.nextInt(5); k > 0; k--) {
                    a.add(node(rnd, depth + 1));
                }
                yield a;
            }
            case 2 -> F.numberNode(rnd.nextLong());
            case 3 -> F.numberNode(rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20));
            case 4 -> F.numberNode(new BigInteger(100, rnd));
            case 5 -> F.numberNode(new BigDecimal(BigInteger.valueOf(rnd.nextInt()), rnd.nextInt(10)));
            case 6 -> F.booleanNode(rnd.nextBoolean());
            case 7 -> F.nullNode();
            default -> F.textNode(key(rnd));
        };
    }

    static final String[] PIECES = {"a", "B", "z", "Z", "_", "0", "9", "é", "\u00ff", "\u4e2d", "\ud83d\ude00", "\uff21", "\"", "\\", "\n",
            "\u0001", " ", "-", "id", "content", "type"};

    static String key(Random rnd) {
        StringBuilder sb = new StringBuilder();
        for (int n = rnd.nextInt(4); n >= 0; n--) {
            sb.append(PIECES[rnd.nextInt(PIECES.length)]);
        }
        return rnd.nextInt(10) == 0 ? "" : sb.toString();
    }
}
