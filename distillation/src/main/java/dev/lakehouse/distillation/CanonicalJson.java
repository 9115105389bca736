package dev.lakehouse.distillation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lakehouse.common.Json;

/**
 * The canonical encoding the journal hashes (docs/journal.md) and distilld writes (docs/distilld.md): UTF-8 JSON with
 * every object's keys in ascending code-point order at every depth, no
 * whitespace, absent and null members left out of the entry's top level, and
 * numbers as Jackson writes them after parsing (integers exactly; other numbers
 * as the shortest decimal that round-trips a 64-bit double). Encoding a parsed
 * canonical document again gives the same bytes, which is what verification relies on.
 */
public final class CanonicalJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final SerializerProvider VALUES = Json.mapper().getSerializerProviderInstance();

    private CanonicalJson() {
    }

    /**
     * Written by Jackson's generator, walking the tree with each object's members sorted by name ({@code String.compareTo},
     * the order of {@link #sorted}) in an array — not through Jackson's {@code WRITE_PROPERTIES_SORTED}, which copies every
     * object into a {@code TreeMap} first (most of what distilld writes is encoded here). Values are written by their
     * nodes, as Jackson writes them. Each thread keeps one generator and its buffer for all its documents (a document is
     * a root value, written with no separator), so a document costs its bytes and not a generator's setup; one that fails
     * to encode drops them.
     */
    public static byte[] bytes(JsonNode node) {
        Encoder e = ENCODERS.get();
        try {
            write(e.generator, node);
            e.generator.flush();
            return e.out.toByteArray();
        } catch (IOException | RuntimeException failed) {
            ENCODERS.remove();   // the generator may be in the middle of a value
            if (failed instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot encode a JSON tree", failed);
        } finally {
            e.out.reset();
        }
    }

    /** A thread's generator and the buffer it writes into (emptied after each document). */
    private static final class Encoder {
        final ByteArrayBuilder out = new ByteArrayBuilder(512);
        final JsonGenerator generator;

        Encoder() {
            try {
                generator = Json.mapper().createGenerator(out);
            } catch (IOException e) {
                throw new IllegalStateException("cannot make a JSON generator", e);
            }
            generator.setRootValueSeparator(null);
        }
    }

    private static final ThreadLocal<Encoder> ENCODERS = ThreadLocal.withInitial(Encoder::new);

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator g, JsonNode node) throws IOException {
        if (node.isObject()) {
            Map.Entry<String, JsonNode>[] members = new Map.Entry[node.size()];
            int i = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                members[i++] = it.next();
            }
            Arrays.sort(members, BY_NAME);
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> m : members) {
                g.writeFieldName(m.getKey());
                write(g, m.getValue());
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode child : node) {
                write(g, child);
            }
            g.writeEndArray();
        } else {
            ((JsonSerializable) node).serialize(g, VALUES);
        }
    }

    private static final java.util.Comparator<Map.Entry<String, JsonNode>> BY_NAME = Map.Entry.comparingByKey();

    /**
     * The canonical encoding of {@code rest} (an object, canonical) with member {@code name} = {@code value} (canonical
     * bytes) added, for a name that sorts before every member of {@code rest} — so a value encoded once (for a hash, say)
     * is not encoded again inside a larger document.
     */
    public static byte[] withFirst(String name, byte[] value, byte[] rest) {
        byte[] key = bytes(NODES.textNode(name));
        if (rest.length < 2 || rest[0] != '{' || rest[rest.length - 1] != '}') {
            throw new IllegalArgumentException("not a canonical object: " + utf8(rest));
        }
        boolean empty = rest.length == 2;
        byte[] out = new byte[1 + key.length + 1 + value.length + (empty ? 1 : rest.length - 1 + 1)];
        int at = 0;
        out[at++] = '{';
        System.arraycopy(key, 0, out, at, key.length);
        at += key.length;
        out[at++] = ':';
        System.arraycopy(value, 0, out, at, value.length);
        at += value.length;
        if (empty) {
            out[at] = '}';
        } else {
            out[at++] = ',';
            System.arraycopy(rest, 1, out, at, rest.length - 1);
        }
        return out;
    }

    public static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            Iterator<String> it = node.fieldNames();
            it.forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode out = NODES.objectNode();
            for (String name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode(node.size());
            node.forEach(child -> out.add(sorted(child)));
            return out;
        }
        return node;
    }

    /** Lower-case hex SHA-256 of bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Lower-case hex SHA-256 of the canonical encoding of {@code entry} without its {@code hash} member. */
    public static String hash(ObjectNode entry) {
        ObjectNode copy = entry.deepCopy();
        copy.remove("hash");
        return sha256(bytes(copy));
    }

    public static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
