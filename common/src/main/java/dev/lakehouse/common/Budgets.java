package dev.lakehouse.common;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The spend budgets of {@code LAKEHOUSE_BUDGETS_FILE} (docs/chatd.md, "Budgets"): one budget a line,
 * <pre>
 * # key     period  limits                       [model]
 * alice     day     tokens=200000 cost=5.00
 * alice     month   cost=100
 * batch     day     tokens=1000000               model=openrouter/openai/gpt-4o-mini
 * </pre>
 * {@code period} is {@code day} or {@code month} (UTC calendar days and months); a limit is {@code tokens} (input and
 * output together, a whole number) and/or {@code cost} (US dollars, as {@code etc/prices.json} prices them); a line
 * with {@code model=provider/model} counts only that target's calls. A key with no line is unlimited; every key with
 * a line is held to it, whatever its scopes. Read by chatd, which enforces them, and by the gateway, which refuses to
 * start when a line names a key its keys file does not hold. Errors name the file and line.
 */
public record Budgets(List<Budget> all) {
    /** The largest token limit a line may give (a typo guard; a budget above it is none). */
    public static final long MAX_TOKENS = 1_000_000_000_000_000L;
    /** The largest cost limit a line may give, in dollars. */
    public static final BigDecimal MAX_COST = new BigDecimal("1000000000");

    /** A calendar period in UTC; a budget's spend starts again at the next one. */
    public enum Period {
        DAY, MONTH;

        /** The start of the period {@code at} falls in. */
        public Instant start(Instant at) {
            LocalDate d = at.atZone(ZoneOffset.UTC).toLocalDate();
            return (this == DAY ? d : d.withDayOfMonth(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        /** The start of the next period: when the spend of the period {@code at} falls in resets. */
        public Instant resets(Instant at) {
            LocalDate d = start(at).atZone(ZoneOffset.UTC).toLocalDate();
            return (this == DAY ? d.plusDays(1) : d.plusMonths(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One line: {@code tokens} and {@code cost} are null when the line does not limit them; {@code model} null counts
     * every model.
     */
    public record Budget(int line, String key, Period period, Long tokens, BigDecimal cost, String model) {
        /** Whether a call of {@code target} ({@code provider/model}) made for {@code key} counts against this budget. */
        public boolean counts(String caller, String target) {
            return key.equals(caller) && (model == null || model.equals(target));
        }

        /** How the budget is named in answers and metrics: {@code alice/day} or {@code alice/day/openrouter/x}. */
        public String name() {
            return key + "/" + period + (model == null ? "" : "/" + model);
        }
    }

    public Budgets {
        all = List.copyOf(all);
    }

    public static Budgets none() {
        return new Budgets(List.of());
    }

    /** The budgets of a file; a {@link ConfigException} naming the line for any it cannot take. */
    public static Budgets load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("LAKEHOUSE_BUDGETS_FILE " + file + " cannot be read: " + e.getMessage());
        }
        return parse(lines, "LAKEHOUSE_BUDGETS_FILE " + file);
    }

    /** The budgets of a file's lines; {@code source} names the file in errors. */
    public static Budgets parse(List<String> lines, String source) {
        List<Budget> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            String[] words = line.split("\\s+");
            if (words.length < 3) {
                throw new ConfigException(where + " is not 'key period limit…' (e.g. 'alice day tokens=200000 cost=5')");
            }
            Period period = switch (words[1].toLowerCase(Locale.ROOT)) {
                case "day" -> Period.DAY;
                case "month" -> Period.MONTH;
                default -> throw new ConfigException(where + ": the period '" + clip(words[1]) + "' is not day or month");
            };
            Long tokens = null;
            BigDecimal cost = null;
            String model = null;
            for (int w = 2; w < words.length; w++) {
                int eq = words[w].indexOf('=');
                String name = eq < 0 ? words[w] : words[w].substring(0, eq);
                String value = eq < 0 ? "" : words[w].substring(eq + 1);
                switch (name) {
                    case "tokens" -> tokens = tokens(value, where);
                    case "cost" -> cost = cost(value, where);
                    case "model" -> {
                        if (value.indexOf('/') <= 0 || value.endsWith("/")) {
                            throw new ConfigException(where + ": model= must be provider/model, not '" + clip(value) + "'");
                        }
                        model = value;
                    }
                    default -> throw new ConfigException(where + ": '" + clip(words[w]) + "' is not tokens=N, cost=USD or model=provider/model");
                }
            }
            if (tokens == null && cost == null) {
                throw new ConfigException(where + " gives no limit: tokens=N, cost=USD or both");
            }
            Budget b = new Budget(i + 1, words[0], period, tokens, cost, model);
            if (!seen.add(b.name())) {
                throw new ConfigException(where + " repeats the budget " + b.name() + " of an earlier line");
            }
            out.add(b);
        }
        return new Budgets(out);
    }

    private static Long tokens(String value, String where) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(where + ": tokens must be a whole number, not '" + clip(value) + "'");
        }
        if (n < 0 || n > MAX_TOKENS) {
            throw new ConfigException(where + ": tokens must be 0 to " + MAX_TOKENS + ", not " + n);
        }
        return n;
    }

    private static BigDecimal cost(String value, String where) {
        BigDecimal c;
        try {
            c = new BigDecimal(value);   // NaN, Infinity and 1e999999999 are refused here or below
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(where + ": cost must be a number of dollars, not '" + clip(value) + "'");
        }
        if (c.signum() < 0 || c.compareTo(MAX_COST) > 0) {
            throw new ConfigException(where + ": cost must be 0 to " + MAX_COST.toPlainString() + " dollars, not " + clip(value));
        }
        return c;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    /** Refuses (naming the line) a budget for a key that is not in {@code names}: a typo would leave the real key unlimited. */
    public void requireKeys(Set<String> names, String source) {
        for (Budget b : all) {
            if (!names.contains(b.key())) {
                throw new ConfigException(source + " line " + b.line() + " budgets the key '" + clip(b.key())
                        + "', which LAKEHOUSE_API_KEYS_FILE does not name");
            }
        }
    }

    /** The budgets a call of {@code target} for {@code caller} counts against. */
    public List<Budget> of(String caller, String target) {
        List<Budget> out = new ArrayList<>(2);
        for (Budget b : all) {
            if (b.counts(caller, target)) {
                out.add(b);
            }
        }
        return out;
    }

    /** Whether {@code caller} has any budget (such a caller's calls get a {@code max_tokens} when they have none). */
    public boolean limits(String caller) {
        return all.stream().anyMatch(b -> b.key().equals(caller));
    }
}
