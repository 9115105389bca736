package dev.lakehouse.chatd;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Budgets;
import dev.lakehouse.common.GroupCommitter;
import dev.lakehouse.common.Json;
import dev.lakehouse.common.JsonLines;
import dev.lakehouse.common.JsonLog;
import dev.lakehouse.common.Meters;
import dev.lakehouse.common.RequestContext;

/**
 * What callers spend on providers, and the budgets that bound it (docs/chatd.md, "Budgets and the spend ledger").
 *
 * <p>Before a provider is called, {@link #reserve} holds the most the call can cost against every budget of the key it
 * is made for: its input as an upper bound (a token is at least one byte of UTF-8, so the conversation's bytes plus a
 * few tokens a message) and its {@code max_tokens}. A call that could cross a budget is refused before any provider
 * hears of it: 429 {@code budget_exceeded}, naming the budget, its spend and when it resets. After the call
 * {@link #settle} appends what it really cost to the ledger — fsynced, group-committed, before the answer's end is sent
 * — and puts it in place of the reservation; a call that produced nothing gives its reservation back. A call never
 * counts more than it reserved (a provider reporting more than the bound is charged the bound and counted as
 * implausible), so the budgets hold exactly however many calls race for their last tokens: the sum of what is settled
 * and reserved never passes a limit. The ledger is the truth: at start it is read again and every current period's
 * spend rebuilt from it, so spend survives kill -9 exactly.
 */
final class Spend implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Spend.class.getName());
    /** Whom a call with no caller is charged to: a daemon's own call, not made for any key. */
    static final String INTERNAL = "internal";
    private static final Duration DURABLE_WITHIN = Duration.ofSeconds(10);

    /** One settled call, a line of the ledger. {@code usage}: {@code reported}, {@code counted} (from the text) or {@code capped}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(String ts, String key, String route, String provider, String model, long inputTokens, long outputTokens,
                 BigDecimal costUsd, String usage, String requestId) {
    }

    /** A budget's state in its current period: settled spend, and what calls in flight hold. */
    private static final class Window {
        final Budgets.Budget budget;
        Instant start;
        long tokens;
        BigDecimal cost = BigDecimal.ZERO;
        long reservedTokens;
        BigDecimal reservedCost = BigDecimal.ZERO;

        Window(Budgets.Budget budget, Instant start) {
            this.budget = budget;
            this.start = start;
        }

        /** Starts a new period when {@code now} is past this one: what is settled starts again, calls in flight still hold. */
        void roll(Instant now) {
            Instant s = budget.period().start(now);
            if (s.isAfter(start)) {
                start = s;
                tokens = 0;
                cost = BigDecimal.ZERO;
            }
        }
    }

    /** What one call holds against its key's budgets until it is settled or released. */
    final class Reservation {
        final String caller;
        final String route;
        final Chat.Target target;
        final long input;
        final long output;
        final BigDecimal cost;
        final Optional<Prices.Price> price;
        final List<Window> windows;
        private boolean open = true;

        private Reservation(String caller, String route, Chat.Target target, long input, long output, BigDecimal cost,
                            Optional<Prices.Price> price, List<Window> windows) {
            this.caller = caller;
            this.route = route;
            this.target = target;
            this.input = input;
            this.output = output;
            this.cost = cost;
            this.price = price;
            this.windows = windows;
        }
    }

    private final Budgets budgets;
    private final Prices prices;
    private final Meters meters;
    private final Clock clock;
    private final Path dir;
    private JsonLog<Entry> log;   // this month's; the writer thread's after the constructor
    private volatile String logMonth;
    private final GroupCommitter<Entry, Void> writer;
    private final Map<String, Window> windows = new HashMap<>();
    private volatile long durableBytes;   // of this month's file

    Spend(Budgets budgets, Prices prices, Path dir, Meters meters, Clock clock) throws IOException {
        this.budgets = budgets;
        this.prices = prices;
        this.meters = meters;
        this.clock = clock;
        Instant now = clock.instant();
        for (Budgets.Budget b : budgets.all()) {
            windows.put(b.name(), new Window(b, b.period().start(now)));
        }
        this.dir = dir;
        this.logMonth = month(now.toString());
        this.log = new JsonLog<>(file(logMonth), Entry.class);
        // a budget's period is at most this month: this month's file is all its spend can be in
        log.load(e -> {
            Instant at = Instant.parse(e.ts());
            for (Budgets.Budget b : budgets.of(e.key(), e.provider() + "/" + e.model())) {
                Window w = windows.get(b.name());
                if (!at.isBefore(w.start)) {
                    w.tokens += e.inputTokens() + e.outputTokens();
                    w.cost = w.cost.add(e.costUsd());
                }
            }
        });
        durableBytes = log.bytes();
        this.writer = new GroupCommitter<>("chatd-ledger", 4096, 512, this::append);
    }

    /** One file a UTC month, {@code ledger-2026-12.jsonl}: what a budget reads at start, what a report reads for its range. */
    private Path file(String month) {
        return dir.resolve("ledger-" + month + ".jsonl");
    }

    private static String month(String ts) {
        return ts.substring(0, 7);
    }

    /** The writer thread's: a group in the file of its month (a group across a month's end goes to both). */
    private List<Void> append(List<Entry> group) throws IOException {
        int from = 0;
        while (from < group.size()) {
            String m = month(group.get(from).ts());
            int to = from;
            while (to < group.size() && month(group.get(to).ts()).equals(m)) {
                to++;
            }
            if (!m.equals(logMonth)) {
                log.close();
                JsonLog<Entry> next = new JsonLog<>(file(m), Entry.class);
                next.load(e -> { });
                log = next;
                logMonth = m;
            }
            log.append(group.subList(from, to));
            durableBytes = log.bytes();
            from = to;
        }
        return java.util.Collections.nCopies(group.size(), null);
    }

    /** The budgets in force (none: every key unlimited). */
    Budgets budgets() {
        return budgets;
    }

    /** Whether the caller of this request has a budget: its calls then get a {@code max_tokens} when they ask none. */
    boolean limited() {
        return budgets.limits(caller());
    }

    private static String caller() {
        return RequestContext.caller().orElse(INTERNAL);
    }

    /**
     * Holds {@code input} + {@code output} tokens of {@code target} against the caller's budgets, or refuses the call
     * (429 {@code budget_exceeded}) when any of them could be crossed.
     */
    Reservation reserve(Chat.Target target, long input, long output, String api) {
        String caller = caller();
        String route = RequestContext.route().orElse("chatd " + api);
        List<Budgets.Budget> applying = budgets.of(caller, target.id());
        Optional<Prices.Price> price = prices.of(target);
        BigDecimal cost = price.map(p -> p.cost(input, output)).orElse(BigDecimal.ZERO);
        if (price.isEmpty() && applying.stream().anyMatch(b -> b.cost() != null)) {
            throw new ApiException.BadRequest("unpriced_model", "model: " + target.id() + " has no price in the price table "
                    + "(etc/prices.json or CHATD_PRICES_FILE), and key '" + caller + "' has a cost budget");
        }
        List<Window> held = new ArrayList<>(applying.size());
        Instant now = clock.instant();
        synchronized (this) {
            for (Budgets.Budget b : applying) {
                Window w = windows.get(b.name());
                w.roll(now);
                if (b.tokens() != null && w.tokens + w.reservedTokens + input + output > b.tokens()) {
                    throw refusal(w, now, "tokens", input + output, String.valueOf(b.tokens()), String.valueOf(w.tokens),
                            String.valueOf(w.reservedTokens));
                }
                if (b.cost() != null && w.cost.add(w.reservedCost).add(cost).compareTo(b.cost()) > 0) {
                    throw refusal(w, now, "cost", cost, b.cost().toPlainString(), w.cost.toPlainString(), w.reservedCost.toPlainString());
                }
                held.add(w);
            }
            for (Window w : held) {
                w.reservedTokens += input + output;
                w.reservedCost = w.reservedCost.add(cost);
            }
        }
        return new Reservation(caller, route, target, input, output, cost, price, held);
    }

    private ApiException refusal(Window w, Instant now, String what, Object asked, String limit, String spent, String reserved) {
        Budgets.Budget b = w.budget;
        Instant resets = b.period().resets(now);
        meters.counter("chatd.budget.refused", "calls refused before any provider was called, by key", "key", b.key()).increment();
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("name", b.name());
        budget.put("key", b.key());
        budget.put("period", b.period().toString());
        if (b.model() != null) {
            budget.put("model", b.model());
        }
        budget.put("limit", what);
        budget.put(what.equals("cost") ? "limit_usd" : "limit_tokens", limit);
        budget.put(what.equals("cost") ? "spent_usd" : "spent_tokens", spent);
        budget.put(what.equals("cost") ? "reserved_usd" : "reserved_tokens", reserved);
        budget.put("resets_at", resets.toString());
        long seconds = Math.max(1, Duration.between(now, resets).toSeconds());
        return new ApiException.BadRequest(429, "budget_exceeded", "key '" + b.key() + "' would pass its " + b.period()
                + (b.model() == null ? "" : " " + b.model()) + " budget of " + limit + (what.equals("cost") ? " dollars" : " tokens")
                + ": " + spent + " spent, " + reserved + " held by calls in flight, this call may take " + asked
                + "; it resets at " + resets, Map.of("Retry-After", Long.toString(seconds)))
                .with("budget", budget);
    }

    /**
     * What a finished call cost, made durable in the ledger before this returns, in place of its reservation.
     * {@code reported} is the provider's usage (null: none); {@code outputBytes} the answer's UTF-8 size, counted when
     * the provider reported nothing believable; {@code promptBytes} the conversation's, likewise.
     */
    Entry settle(Reservation r, Chat.Usage reported, long outputBytes, long promptBytes) {
        long in;
        long out;
        String source;
        if (reported == null || reported.promptTokens() < 0 || reported.completionTokens() < 0
                || reported.promptTokens() == 0 && reported.completionTokens() == 0 && outputBytes > 0) {
            in = Math.min(r.input, count(promptBytes));
            out = Math.min(r.output, count(outputBytes));
            source = "counted";
        } else if (reported.promptTokens() > r.input || reported.completionTokens() > r.output) {
            in = Math.min(r.input, reported.promptTokens());
            out = Math.min(r.output, reported.completionTokens());
            source = "capped";
            meters.counter("chatd.usage.implausible", "calls whose reported usage passed the bound reserved for them (charged the "
                    + "bound)", "provider", r.target.provider()).increment();
            LOG.warning(r.target.id() + " reported " + reported.promptTokens() + " + " + reported.completionTokens()
                    + " tokens, more than the " + r.input + " + " + r.output + " the call could use: charged the bound");
        } else {
            in = reported.promptTokens();
            out = reported.completionTokens();
            source = "reported";
        }
        BigDecimal cost = r.price.map(p -> p.cost(in, out)).orElse(BigDecimal.ZERO);
        Entry e = new Entry(clock.instant().toString(), r.caller, r.route, r.target.provider(), r.target.model(), in, out,
                cost.stripTrailingZeros(), source, RequestContext.currentId().orElse(null));
        try {
            writer.submit(e, DURABLE_WITHIN);
        } finally {
            apply(r, in + out, cost);   // spent is spent: counted even when the disk refused the line
        }
        meters.counter("chatd.spend.tokens", "tokens charged, by key, model and direction", "key", r.caller, "model",
                r.target.id(), "direction", "in").increment(in);
        meters.counter("chatd.spend.tokens", "tokens charged, by key, model and direction", "key", r.caller, "model",
                r.target.id(), "direction", "out").increment(out);
        meters.counter("chatd.spend.cost", "dollars charged, by key and model", "key", r.caller, "model", r.target.id())
                .increment(cost.doubleValue());
        return e;
    }

    /** A call that produced nothing: its reservation is given back. */
    void release(Reservation r) {
        apply(r, 0, BigDecimal.ZERO);
    }

    private synchronized void apply(Reservation r, long tokens, BigDecimal cost) {
        if (!r.open) {
            return;
        }
        r.open = false;
        Instant now = clock.instant();
        for (Window w : r.windows) {
            w.reservedTokens -= r.input + r.output;
            w.reservedCost = w.reservedCost.subtract(r.cost);
            w.roll(now);
            w.tokens += tokens;
            w.cost = w.cost.add(cost);
        }
    }

    /** Tokens of a text the provider did not count: a quarter of its UTF-8 bytes, rounded up (docs/chatd.md). */
    static long count(long bytes) {
        return (bytes + 3) / 4;
    }

    /** The upper bound of a conversation's tokens: one a byte, and four a message for the chat template. */
    static long inputBound(List<Chat.Message> messages, long promptBytes) {
        long n = 8 + promptBytes;
        for (Chat.Message m : messages) {
            n += 4 + m.role().length();
        }
        return n;
    }

    static long promptBytes(List<Chat.Message> messages) {
        long n = 0;
        for (Chat.Message m : messages) {
            n += m.content().getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }

    /** {@code GET /v1/spend}'s answer. */
    record Report(String key, String from, String to, String groupBy, List<Group> groups, Group total, List<BudgetState> budgets) {
    }

    record Group(String group, long calls, long inputTokens, long outputTokens, BigDecimal costUsd) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BudgetState(String name, String key, String period, String model, Long limitTokens, BigDecimal limitUsd,
                       long spentTokens, BigDecimal spentUsd, long reservedTokens, BigDecimal reservedUsd, String resetsAt) {
    }

    /**
     * The ledger's calls from {@code from} (inclusive) to {@code to} (exclusive), of {@code key} or every key, grouped by
     * {@code groupBy} ({@code model}, {@code day}, {@code route} or {@code key}); the budgets' state now. Linear in the
     * months of the ledger the range covers.
     */
    Report report(String key, Instant from, Instant to, String groupBy) throws IOException {
        Map<String, long[]> sums = new TreeMap<>();
        Map<String, BigDecimal> costs = new HashMap<>();
        String current = logMonth;
        long currentLimit = durableBytes;
        for (java.time.YearMonth m = java.time.YearMonth.from(from.atZone(java.time.ZoneOffset.UTC));
             !m.atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().isAfter(to) && m.toString().compareTo(current) <= 0;
             m = m.plusMonths(1)) {
            Path f = file(m.toString());
            if (!java.nio.file.Files.exists(f)) {
                continue;
            }
            long limit = m.toString().equals(current) ? currentLimit : Long.MAX_VALUE;   // a past month's file is whole
            JsonLines.read(f, 0, (line, offset) -> {
                if (offset >= limit) {
                    return false;
                }
                Entry e = Json.mapper().readValue(line, Entry.class);
                Instant at = Instant.parse(e.ts());
                if ((key == null || key.equals(e.key())) && !at.isBefore(from) && at.isBefore(to)) {
                    String g = switch (groupBy) {
                        case "day" -> e.ts().substring(0, 10);
                        case "route" -> e.route();
                        case "key" -> e.key();
                        default -> e.provider() + "/" + e.model();
                    };
                    long[] s = sums.computeIfAbsent(g, x -> new long[3]);
                    s[0]++;
                    s[1] += e.inputTokens();
                    s[2] += e.outputTokens();
                    costs.merge(g, e.costUsd(), BigDecimal::add);
                }
                return true;
            });
        }
        List<Group> groups = new ArrayList<>();
        long[] t = new long[3];
        BigDecimal total = BigDecimal.ZERO;
        for (var s : sums.entrySet()) {
            BigDecimal c = costs.get(s.getKey());
            groups.add(new Group(s.getKey(), s.getValue()[0], s.getValue()[1], s.getValue()[2], c.stripTrailingZeros()));
            for (int i = 0; i < 3; i++) {
                t[i] += s.getValue()[i];
            }
            total = total.add(c);
        }
        return new Report(key, from.toString(), to.toString(), groupBy, groups, new Group("total", t[0], t[1], t[2],
                total.stripTrailingZeros()), budgetStates(key));
    }

    private synchronized List<BudgetState> budgetStates(String key) {
        Instant now = clock.instant();
        List<BudgetState> out = new ArrayList<>();
        for (Budgets.Budget b : budgets.all()) {
            if (key != null && !key.equals(b.key())) {
                continue;
            }
            Window w = windows.get(b.name());
            w.roll(now);
            out.add(new BudgetState(b.name(), b.key(), b.period().toString(), b.model(), b.tokens(), b.cost(), w.tokens,
                    w.cost.stripTrailingZeros(), w.reservedTokens, w.reservedCost.stripTrailingZeros(),
                    b.period().resets(now).toString()));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        writer.close();
        log.close();
    }
}
