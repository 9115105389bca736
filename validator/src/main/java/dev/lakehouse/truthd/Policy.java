package dev.lakehouse.truthd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.ConfigException;
import dev.lakehouse.common.FieldError;
import dev.lakehouse.common.Json;

/**
 * The resolution policy (docs/truthd.md), from {@code TRUTHD_POLICY} or the built-in
 * {@code truthd-policy.json}: the sources in priority order, a default rule, and rules per
 * field, each a strategy, a value type ({@link Normalizer}) and the order of the
 * tie-breakers. A field's rule inherits what it leaves out from the default. A file that
 * does not parse stops the start, naming the file and the JSON path.
 */
public record Policy(List<String> sources, Rule defaults, Map<String, Rule> fields) {
    static final Pattern FIELD = Pattern.compile("[a-z][a-z0-9_.]{0,63}");

    /** How a winner is chosen. */
    public enum Strategy {
        RANKED, PRIORITY, VOTE, TRUST;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Strategy parse(String name, String field) {
            for (Strategy s : values()) {
                if (s.toString().equals(name)) {
                    return s;
                }
            }
            throw new FieldError(field, "invalid_field", "'" + name + "' is not a strategy; one of ranked, priority, vote, trust");
        }
    }

    /** What orders claims the strategy leaves tied. */
    public enum TieBreaker {
        PRIORITY, RECENCY, CONFIDENCE;

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One field's rule; in the file every part is optional. {@code multi}: the field holds a set (skills, certifications):
     * every value asserted is a member, each with its own support.
     */
    public record Rule(Strategy strategy, Normalizer type, List<TieBreaker> tieBreakers, Boolean multi) {
        public Rule {
            if (tieBreakers != null) {
                FieldError.check(!tieBreakers.isEmpty() && new HashSet<>(tieBreakers).size() == tieBreakers.size(), "tie_breakers",
                        "must name each of priority, recency, confidence at most once, at least one");
                tieBreakers = List.copyOf(tieBreakers);
            }
        }

        Rule over(Rule defaults) {
            return new Rule(strategy != null ? strategy : defaults.strategy, type != null ? type : defaults.type,
                    tieBreakers != null ? tieBreakers : defaults.tieBreakers, multi != null ? multi : defaults.multi);
        }
    }

    /** The file: {@code {"format":1,"sources":[…],"default":{…},"fields":{"phone":{…}}}}. */
    record File(Integer format, List<String> sources, @com.fasterxml.jackson.annotation.JsonProperty("default") Rule defaults,
                Map<String, Rule> fields) {
        File {
            FieldError.check(format == null || format == 1, "format", "this truthd reads format 1, not " + format);
            sources = sources == null ? List.of() : sources;
            FieldError.check(new HashSet<>(sources).size() == sources.size(), "sources", "names a source twice");
            for (int i = 0; i < sources.size(); i++) {
                FieldError.check(TruthdWire.SOURCE.matcher(sources.get(i)).matches(), "sources[" + i + "]",
                        "must match " + TruthdWire.SOURCE.pattern());
            }
            fields = fields == null ? Map.of() : fields;
            fields.forEach((name, rule) -> {
                FieldError.check(FIELD.matcher(name).matches(), "fields." + name, "is not a field name (" + FIELD.pattern() + ")");
                FieldError.required(rule, "fields." + name);
            });
        }
    }

    /** The rule for a field: its own over the default. */
    public Rule rule(String field) {
        Rule r = fields.get(field);
        return r == null ? defaults : r;
    }

    /** A source's place in the priority order: its index, or after every listed one. */
    public int priority(String source) {
        int i = sources.indexOf(source);
        return i < 0 ? sources.size() : i;
    }

    public static Policy load(Path file) {
        try {
            return of(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException("TRUTHD_POLICY " + file + " cannot be read: " + e.getMessage());
        }
    }

    public static Policy builtIn() {
        try (InputStream in = Policy.class.getResourceAsStream("truthd-policy.json")) {
            return of(in.readAllBytes(), "the built-in truthd-policy.json");
        } catch (IOException e) {
            throw new ConfigException("the built-in truthd-policy.json is missing: " + e.getMessage());
        }
    }

    static Policy of(byte[] json, String where) {
        File f;
        try {
            f = Json.parse(json, File.class);
        } catch (ApiException e) {
            throw new ConfigException("TRUTHD_POLICY " + where + " is not a valid policy: " + e.detail());
        }
        Rule base = new Rule(Strategy.PRIORITY, Normalizer.TEXT, List.of(TieBreaker.PRIORITY, TieBreaker.RECENCY, TieBreaker.CONFIDENCE),
                false);
        Rule defaults = f.defaults() == null ? base : f.defaults().over(base);
        Map<String, Rule> fields = new LinkedHashMap<>();
        f.fields().forEach((name, rule) -> fields.put(name, rule.over(defaults)));
        return new Policy(List.copyOf(new ArrayList<>(f.sources())), defaults, Map.copyOf(fields));
    }
}
