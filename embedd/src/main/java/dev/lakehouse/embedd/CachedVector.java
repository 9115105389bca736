package dev.lakehouse.embedd;

import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * One cached embedding: the vector, and its JSON array already encoded, so a
 * cache hit costs no float formatting — the response writes the bytes as they are.
 * Floats are written with the JDK's shortest round-tripping form, so decoding the
 * JSON gives back exactly the provider's float values.
 */
record CachedVector(float[] vector, RawValue json, int weight) {
    static CachedVector of(float[] vector) {
        StringBuilder sb = new StringBuilder(vector.length * 12 + 2).append('[');
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(vector[i]);
        }
        SerializedString encoded = new SerializedString(sb.append(']').toString());
        byte[] utf8 = encoded.asUnquotedUTF8();   // computed once, kept by SerializedString
        return new CachedVector(vector, new RawValue(encoded), 64 + vector.length * 4 + utf8.length * 3);
    }
}
