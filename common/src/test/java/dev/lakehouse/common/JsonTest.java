package dev.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The strict reading rules of {@link Json}: every refusal a 400 naming where. */
class JsonTest {
    record Item(String name) {
        Item {
            FieldError.required(name, "name");
        }
    }

    record Order(List<Item> items, Map<String, String> tags, JsonNode extra) {
    }

    private static ApiException refusal(String json, Class<?> type) {
        return catchThrowableOfType(ApiException.class, () -> Json.parse(json.getBytes(StandardCharsets.UTF_8), type));
    }

    @Test
    void parse_nullDocument_isA400_notANull() {
        ApiException e = refusal("null", Order.class);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.detail()).contains("null").contains("an object");
        assertThat(refusal(" null ", Item.class)).isNotNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"items\":[{\"name\":\"a\"},null]}      | items[1]: must not be null",
        "{\"items\":[null]}                       | items[0]: must not be null",
        "{\"tags\":{\"t\":null}}                  | tags.t: must not be null",
        "{\"items\":[{\"name\":null}]}            | items[0].name: is required",
    })
    void parse_nullWhereAValueGoes_namesThePath(String json, String detail) {
        ApiException e = refusal(json, Order.class);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.detail()).isEqualTo(detail);
    }

    @Test
    void parse_freeFormTrees_keepTheirNulls() {
        Order o = Json.parse("{\"extra\":{\"a\":null,\"b\":[null]}}".getBytes(StandardCharsets.UTF_8), Order.class);
        assertThat(o.extra().get("a").isNull()).isTrue();
    }

    @Test
    void convert_nullOrMissingSubtree_isA400_namingIt() {
        ApiException e = catchThrowableOfType(ApiException.class,
                () -> Json.convert(Json.mapper().nullNode(), Item.class, "context.order"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.detail()).startsWith("context.order: is required");
        assertThat(catchThrowableOfType(ApiException.class,
                () -> Json.convert(Json.mapper().missingNode(), Item.class, "context.order")).status()).isEqualTo(400);
    }
}
