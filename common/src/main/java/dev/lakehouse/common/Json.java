package dev.lakehouse.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one JSON setup of the platform: a strict Jackson mapper (snake_case names,
 * no trailing tokens, no scalar coercion, no duplicate keys, no NaN or infinite
 * numbers — not even {@code 1e999}), and request/response helpers that turn
 * every parse failure into a 4xx {@link ApiException} whose detail names the JSON path.
 */
public final class Json {
    public static final String MEDIA_TYPE = "application/json";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            // null as an element of a list or a value of a typed map is refused where it is read
            // (records see lists without holes); free-form JsonNode trees keep their nulls
            .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
            .addModule(finiteNumbers())
            .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Reads the request body as {@code type}. Content-Type must be JSON (or absent):
     * anything else is 415. Every parse or mapping failure is a 400 naming the path.
     */
    public static <T> T read(ServerRequest req, Class<T> type) {
        requireJsonContentType(req);
        try (InputStream in = req.content().inputStream()) {
            return parse(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses bytes (a peer's answer, a file line) with the same strict rules and errors. */
    public static <T> T parse(byte[] bytes, Class<T> type) {
        try (JsonParser p = MAPPER.createParser(bytes)) {
            return read(p, type);
        } catch (IOException e) {
            throw toBadRequest(e);
        }
    }

    static <T> T parse(InputStream in, Class<T> type) throws IOException {
        try (JsonParser p = MAPPER.createParser(in)) {
            return read(p, type);
        } catch (JacksonException e) {
            throw toBadRequest(e);
        }
    }

    /** Readers without the trailing-token check: {@link #read} makes it, and says which failure it was. */
    private static final ClassValue<ObjectReader> READERS = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        }
    };

    /** One document: nothing at all, a null, or anything after it are refused each with its own message. */
    private static <T> T read(JsonParser p, Class<T> type) throws IOException {
        if (p.nextToken() == null) {
            throw new ApiException.BadRequest("invalid_json", "the request body is empty; expected a JSON document");
        }
        T value = READERS.get(type).readValue(p);
        if (p.nextToken() != null) {
            throw new ApiException.BadRequest("invalid_json", "unexpected content after the JSON document"
                    + at(p.currentTokenLocation()));
        }
        return present(value, type);
    }

    /** A document that is JSON {@code null} where a value is expected is a 400, never a null handed to a handler. */
    private static <T> T present(T value, Class<T> type) {
        if (value == null) {
            throw new ApiException.BadRequest("invalid_json", "the body is null; expected " + describe(type));
        }
        return value;
    }

    /**
     * Maps a JSON subtree (e.g. one member of a free-form {@code context}) to {@code type}
     * with the same strict rules; a failure is a 400 whose detail starts with {@code at},
     * the subtree's own path: {@code context.order: lat: must be from -90 to 90}.
     */
    public static <T> T convert(com.fasterxml.jackson.databind.JsonNode node, Class<T> type, String at) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new ApiException.BadRequest("missing_field", at + ": is required: " + describe(type));
        }
        try {
            return MAPPER.treeToValue(node, type);
        } catch (IOException e) {
            ApiException bad = toBadRequest(e);
            throw new ApiException.BadRequest(bad.status(), bad.code(), at + ": " + bad.detail(), bad.headers());
        }
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** Sends {@code value} as {@code application/json} with the given status. */
    public static void send(ServerResponse res, int status, Object value) {
        sendBytes(res, status, bytes(value));
    }

    public static void sendBytes(ServerResponse res, int status, byte[] body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.send(body);
    }

    static void requireJsonContentType(ServerRequest req) {
        var contentType = req.headers().contentType();
        if (contentType.isEmpty()) {
            return;
        }
        HttpMediaType type = contentType.get();
        String subtype = type.mediaType().subtype().toLowerCase(Locale.ROOT);
        boolean json = "application".equalsIgnoreCase(type.mediaType().type())
                && (subtype.equals("json") || subtype.endsWith("+json"));
        if (!json) {
            throw new ApiException.BadRequest(415, "unsupported_media_type",
                    "Content-Type " + type.text() + " is not supported; send application/json", java.util.Map.of());
        }
    }

    /** Maps a Jackson failure to a 400 with a short detail that names the JSON path. */
    static ApiException toBadRequest(IOException e) {
        StreamReadException syntax = e instanceof StreamReadException sre ? sre
                : e.getCause() instanceof StreamReadException sre ? sre : null;
        if (syntax != null) {
            return new ApiException.BadRequest("invalid_json", "malformed JSON" + at(syntax) + ": "
                    + clean(syntax.getOriginalMessage()));
        }
        if (e instanceof ValueInstantiationException vie && vie.getCause() instanceof FieldError fe) {
            String path = join(path(vie), fe.field());
            return new ApiException.BadRequest(fe.code(), path + ": " + fe.getMessage());
        }
        if (e instanceof ValueInstantiationException vie && vie.getCause() instanceof ApiException api) {
            return api;
        }
        if (e instanceof UnrecognizedPropertyException upe) {
            String known = upe.getKnownPropertyIds() == null ? "" : "; known fields: "
                    + upe.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return new ApiException.BadRequest("unknown_field", "unknown field " + path(upe) + known);
        }
        if (e instanceof InvalidFormatException ife) {
            String where = path(ife);
            if (ife.getTargetType() != null && ife.getTargetType().isEnum()) {
                String allowed = Arrays.stream(ife.getTargetType().getEnumConstants())
                        .map(c -> c.toString()).collect(Collectors.joining(", "));
                return new ApiException.BadRequest("invalid_field",
                        where + ": unknown value " + quote(ife.getValue()) + "; expected one of " + allowed);
            }
            return new ApiException.BadRequest("invalid_field", where + ": " + clean(ife.getOriginalMessage()));
        }
        if (e instanceof InvalidNullException ine) {
            String where = path(ine);
            return new ApiException.BadRequest("missing_field", (where.isEmpty() ? "body" : where) + ": must not be null");
        }
        if (e instanceof MismatchedInputException mie) {
            String where = path(mie);
            String expected = mie.getTargetType() == null ? clean(mie.getOriginalMessage())
                    : "expected " + describe(mie.getTargetType());
            return new ApiException.BadRequest("invalid_field", (where.isEmpty() ? "body" : where) + ": " + expected);
        }
        if (e instanceof JsonMappingException jme) {
            String where = path(jme);
            return new ApiException.BadRequest("invalid_field", (where.isEmpty() ? "body" : where) + ": "
                    + clean(jme.getOriginalMessage()));
        }
        if (e instanceof JacksonException je) {
            return new ApiException.BadRequest("invalid_json", "malformed JSON: " + clean(je.getOriginalMessage()));
        }
        throw new UncheckedIOException(e);
    }

    /** {@code points[3].vector} from Jackson's path references. */
    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String join(String path, String field) {
        if (path.isEmpty()) {
            return field;
        }
        return field.startsWith("[") ? path + field : path + "." + field;
    }

    private static String at(JacksonException e) {
        return at(e.getLocation());
    }

    private static String at(JsonLocation loc) {
        if (loc == null || loc.getLineNr() < 0) {
            return "";
        }
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Jackson's message without its hints for Jackson users and its source excerpts. */
    private static String clean(String message) {
        if (message == null) {
            return "unreadable";
        }
        String out = message;
        for (String cut : new String[] {"\n", ": enable `", " (start marker at", " at [Source"}) {
            int i = out.indexOf(cut);
            if (i >= 0) {
                out = out.substring(0, i);
            }
        }
        return out;
    }

    private static String quote(Object value) {
        return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    }

    private static String describe(Class<?> type) {
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type.isArray() || List.class.isAssignableFrom(type) || java.util.Collection.class.isAssignableFrom(type)) {
            return type == float[].class || type == double[].class ? "an array of numbers" : "an array";
        }
        return "an object";
    }

    private static SimpleModule finiteNumbers() {
        SimpleModule module = new SimpleModule("finite-numbers");
        module.addDeserializer(Double.class, new FiniteDouble());
        module.addDeserializer(double.class, new FiniteDouble());
        module.addDeserializer(Float.class, new FiniteFloat());
        module.addDeserializer(float.class, new FiniteFloat());
        module.addDeserializer(float[].class, new FiniteFloatArray());
        return module;
    }

    private static double number(JsonParser p, DeserializationContext ctxt, Class<?> type) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw MismatchedInputException.from(p, type, "expected a number, got " + tokenName(t));
        }
        return p.getDoubleValue();
    }

    private static String tokenName(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    private static final class FiniteDouble extends JsonDeserializer<Double> {
        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            double v = number(p, ctxt, Double.class);
            if (!Double.isFinite(v)) {
                throw InvalidFormatException.from(p, p.getText() + " is not a finite number", p.getText(), Double.class);
            }
            return v;
        }
    }

    private static final class FiniteFloat extends JsonDeserializer<Float> {
        @Override
        public Float deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            float v = (float) number(p, ctxt, Float.class);
            if (!Float.isFinite(v)) {
                throw InvalidFormatException.from(p, p.getText() + " is not a finite 32-bit number", p.getText(), Float.class);
            }
            return v;
        }
    }

    /** float[] without boxing; every element must be a finite 32-bit number. */
    private static final class FiniteFloatArray extends JsonDeserializer<float[]> {
        @Override
        public float[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                throw MismatchedInputException.from(p, float[].class,
                        "expected an array of numbers, got " + tokenName(p.currentToken()));
            }
            float[] out = new float[64];
            int n = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    JsonMappingException ex = MismatchedInputException.from(p, float.class,
                            "expected a number, got " + tokenName(t));
                    ex.prependPath(new JsonMappingException.Reference(float[].class, n));
                    throw ex;
                }
                float v = p.getFloatValue();
                if (!Float.isFinite(v)) {
                    JsonMappingException ex = InvalidFormatException.from(p,
                            p.getText() + " is not a finite 32-bit number", p.getText(), float.class);
                    ex.prependPath(new JsonMappingException.Reference(float[].class, n));
                    throw ex;
                }
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = v;
            }
            return Arrays.copyOf(out, n);
        }
    }
}
