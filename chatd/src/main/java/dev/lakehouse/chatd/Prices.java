package dev.lakehouse.chatd;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.Json;

/**
 * What a provider's tokens cost: {@code etc/prices.json} (built in), or the file {@code CHATD_PRICES_FILE} names.
 * US dollars per million input and output tokens, by {@code provider/model}; {@code provider/*} prices a provider's
 * other models. A target with no price at all cannot be charged by cost: a key with a cost budget is refused it.
 */
final class Prices {
    /** Dollars per million input and output tokens. */
    record Price(BigDecimal input, BigDecimal output) {
        BigDecimal cost(long inputTokens, long outputTokens) {
            return input.multiply(BigDecimal.valueOf(inputTokens)).add(output.multiply(BigDecimal.valueOf(outputTokens)))
                    .divide(MILLION, MathContext.DECIMAL64);
        }
    }

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal MAX_PRICE = BigDecimal.valueOf(1_000_000);

    private final Map<String, Price> byTarget;

    Prices(Map<String, Price> byTarget) {
        this.byTarget = Map.copyOf(byTarget);
    }

    /** The table of {@code file}, or the built-in one when it is empty. */
    static Prices load(Optional<Path> file) {
        String source = file.map(f -> "CHATD_PRICES_FILE " + f).orElse("the built-in etc/prices.json");
        try (InputStream in = file.isPresent() ? Files.newInputStream(file.get()) : Prices.class.getResourceAsStream("/prices.json")) {
            if (in == null) {
                throw new ConfigException(source + " is missing from chatd's jar");
            }
            return parse(Json.mapper().readTree(in), source);
        } catch (IOException e) {
            throw new ConfigException(source + " cannot be read as JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    static Prices parse(JsonNode root, String source) {
        JsonNode prices = root == null ? null : root.get("prices");
        if (prices == null || !prices.isObject()) {
            throw new ConfigException(source + ": no \"prices\" object of provider/model → {\"input\": USD, \"output\": USD}");
        }
        Map<String, Price> out = new LinkedHashMap<>();
        for (var it = prices.fields(); it.hasNext(); ) {
            var e = it.next();
            String target = e.getKey();
            int slash = target.indexOf('/');
            if (slash <= 0 || slash == target.length() - 1 || !ChatdConfig.PROVIDERS.contains(target.substring(0, slash))) {
                throw new ConfigException(source + ": \"" + target + "\" is not provider/model (or provider/*) of a known provider "
                        + ChatdConfig.PROVIDERS);
            }
            out.put(target, new Price(dollars(e.getValue(), "input", source + " " + target),
                    dollars(e.getValue(), "output", source + " " + target)));
        }
        return new Prices(out);
    }

    private static BigDecimal dollars(JsonNode price, String field, String where) {
        JsonNode v = price.get(field);
        if (v == null || !v.isNumber()) {
            throw new ConfigException(where + ": \"" + field + "\" must be a number of dollars per million tokens");
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() < 0 || d.compareTo(MAX_PRICE) > 0) {
            throw new ConfigException(where + ": \"" + field + "\" must be 0 to " + MAX_PRICE + ", not " + d);
        }
        return d;
    }

    /** The price of a target: its own, else its provider's {@code *}; empty when the table prices neither. */
    Optional<Price> of(Chat.Target t) {
        Price p = byTarget.get(t.id());
        return Optional.ofNullable(p != null ? p : byTarget.get(t.provider() + "/*"));
    }
}
