package dev.lakehouse.it.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lakehouse.common.Json;

/**
 * A structured fuzzer over every route of every daemon ({@code scripts/fuzz/routes.json}).
 * From each route's valid example it derives the {@link Mutations}, shuffles them per
 * daemon with a seed, and sends them round-robin over the daemons, a quarter of them
 * through the gateway. It checks every answer: no 5xx but a 502/503/504 problem that
 * names a dead peer; every 4xx {@code application/problem+json} with a {@code code};
 * an answer within {@code maxTime}; every daemon alive (checked every 100 requests,
 * and {@code /health} and {@code /ready} 200 at the end). It reports the findings with
 * what reproduces them, a status histogram and the slowest ten requests.
 *
 * <pre>{@code
 * Fuzzer.Report r = new Fuzzer(catalog, urls, alive, 42, Duration.ofSeconds(10)).run(2_000);
 * }</pre>
 */
public final class Fuzzer {
    /** A 5xx that says a dependency is down or failing: allowed only with one of these codes, naming it. */
    static final List<String> DEPENDENCY_CODES = List.of("peer_unavailable", "peer_timeout", "peer_connection_failed", "peer_error", "upstream_failed",
            "upstream_unavailable", "upstream_timeout", "circuit_open", "no_provider_available", "provider_unavailable",
            "provider_timeout", "all_providers_failed", "roster_unavailable", "chatd_unavailable", "loading", "stopping",
            "not_ready", "unavailable", "storage_failed", "busy",   // busy: a bounded queue is full (back-pressure, with Retry-After)
            "index_not_ready");   // pathwayd: its search indexes are still being created in vectord
    private static final int MAX_BODY_SHOWN = 300;

    /** One route of the catalog. */
    /** {@code expect}: the status of the valid example when it is not a 2xx (a job id that cannot be known in advance: 404). */
    record Route(String daemon, String method, String path, Map<String, String> params, Map<String, String> query, JsonNode body,
                 int expect) {
        String target(Map<String, String> values) {
            String p = path;
            for (var e : values.entrySet()) {
                p = p.replace("{" + e.getKey() + "}", e.getValue());
            }
            return p;
        }

        String target() {
            return target(params) + queryString(query);
        }
    }

    /** One request to send. {@code raw}: byte for byte over a socket (targets java.net.URI refuses). */
    record Case(String daemon, String label, String method, String target, byte[] body, String contentType,
                Map<String, String> headers, boolean viaGateway, boolean raw) {
        String describe() {
            String shown = body == null ? "" : " body " + abbreviate(new String(body, StandardCharsets.UTF_8));
            return method + " " + abbreviate(target) + (viaGateway ? " (via gateway)" : "") + " [" + label + "]"
                    + (contentType == null ? "" : " Content-Type: " + contentType) + shown;
        }
    }

    record Outcome(Case c, int status, String contentType, String body, long nanos, String finding) {
    }

    public record Report(int requests, int distinctCases, List<String> findings, List<String> slowest,
                         Map<String, Integer> perDaemon, Map<String, Integer> statuses, long seed) {
        public String text() {
            StringBuilder sb = new StringBuilder();
            sb.append("fuzz: ").append(requests).append(" requests (of ").append(distinctCases).append(" distinct cases), seed ")
                    .append(seed).append(", ").append(findings.size()).append(" findings\n");
            sb.append("per daemon: ").append(perDaemon).append('\n');
            sb.append("statuses: ").append(statuses).append('\n');
            sb.append("slowest ten:\n");
            slowest.forEach(s -> sb.append("  ").append(s).append('\n'));
            if (!findings.isEmpty()) {
                sb.append("findings (first 100):\n");
                findings.stream().limit(100).forEach(f -> sb.append("  ").append(f).append('\n'));
            }
            return sb.toString();
        }
    }

    private final List<Route> setup;
    private final List<Route> routes;
    private final List<String> kitRoutes;
    private final Map<String, URI> urls;
    private final Predicate<String> alive;
    private final long seed;
    private final Duration maxTime;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /**
     * @param urls  base URL of every daemon to fuzz, by name (the gateway's under {@code gateway})
     * @param alive whether a daemon's process is still alive, by name
     */
    public Fuzzer(Path catalog, Map<String, URI> urls, Predicate<String> alive, long seed, Duration maxTime) {
        try {
            String text = Files.readString(catalog);
            for (var u : urls.entrySet()) {   // "${vectord}" in an example: the URL of that daemon in this run
                text = text.replace("${" + u.getKey() + "}", u.getValue().toString());
            }
            JsonNode root = Json.mapper().readTree(text);
            this.setup = routes(root.path("setup"));
            this.routes = routes(root.path("routes"));
            List<String> kit = new ArrayList<>();
            root.path("kit_routes").forEach(n -> kit.add(n.asText()));
            this.kitRoutes = List.copyOf(kit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fuzz catalog " + catalog, e);
        }
        this.urls = Map.copyOf(urls);
        this.alive = alive;
        this.seed = seed;
        this.maxTime = maxTime;
    }

    private static List<Route> routes(JsonNode list) {
        List<Route> out = new ArrayList<>();
        for (JsonNode r : list) {
            out.add(new Route(r.path("daemon").asText(), r.path("method").asText(), r.path("path").asText(),
                    strings(r.path("params")), strings(r.path("query")), r.has("body") ? r.get("body") : null,
                    r.path("expect").asInt(0)));
        }
        return out;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> m = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** The routes whose daemon is in {@code urls}: each daemon fuzzes only what it serves. */
    List<Route> routesUnderTest() {
        return routes.stream().filter(r -> urls.containsKey(r.daemon())).toList();
    }

    /** Every valid example answers 2xx: otherwise its mutations test nothing. */
    public List<String> checkExamples() {
        runSetup();
        List<String> problems = new ArrayList<>();
        for (Route r : routesUnderTest()) {
            Outcome o = send(new Case(r.daemon(), "example", r.method(), r.target(), bytes(r.body()),
                    r.body() == null ? null : Json.MEDIA_TYPE, Map.of(), false, false));
            boolean expected = r.expect() == 0 ? o.status() >= 200 && o.status() <= 299 : o.status() == r.expect();
            if (!expected) {
                problems.add(r.method() + " " + r.target() + " on " + r.daemon() + ": " + o.status() + " " + abbreviate(o.body()));
            }
            runSetup();
        }
        return problems;
    }

    /** Sends {@code requests} cases and checks every answer and every daemon. */
    public Report run(int requests) {
        Map<String, List<Case>> byDaemon = new TreeMap<>();
        Random rng = new Random(seed);
        for (Route r : routesUnderTest()) {
            byDaemon.computeIfAbsent(r.daemon(), d -> new ArrayList<>()).addAll(cases(r));
        }
        for (String daemon : urls.keySet()) {
            for (String path : kitRoutes) {
                byDaemon.computeIfAbsent(daemon, d -> new ArrayList<>()).addAll(kitCases(daemon, path));
            }
        }
        byDaemon.values().forEach(list -> Collections.shuffle(list, rng));
        List<Outcome> outcomes = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        Map<String, Integer> perDaemon = new TreeMap<>();
        Map<String, Integer> statuses = new TreeMap<>();
        runSetup();
        int sent = 0;
        int round = 0;
        while (sent < requests) {
            for (var entry : byDaemon.entrySet()) {
                List<Case> list = entry.getValue();
                if (list.isEmpty() || sent >= requests) {
                    continue;
                }
                Case c = list.get(round % list.size());
                if (round >= list.size() && !c.raw()) {   // second and later passes flip the door
                    c = new Case(c.daemon(), c.label(), c.method(), c.target(), c.body(), c.contentType(), c.headers(),
                            !c.viaGateway() && urls.containsKey("gateway") && c.target().startsWith("/v1/"), false);
                }
                Outcome o = send(c);
                sent++;
                outcomes.add(o);
                perDaemon.merge(entry.getKey(), 1, Integer::sum);
                statuses.merge(o.status() < 0 ? "none" : Integer.toString(o.status()), 1, Integer::sum);
                if (o.finding() != null) {
                    findings.add(o.finding() + " — " + c.describe() + " → " + o.status() + " " + abbreviate(o.body()));
                }
                if (sent % 100 == 0) {
                    checkAlive(c, findings);
                    runSetup();
                }
            }
            round++;
        }
        for (String daemon : urls.keySet()) {
            for (String path : List.of("/health", "/ready")) {
                Outcome o = send(new Case(daemon, "final check", "GET", path, null, null, Map.of(), false, false));
                if (o.status() != 200) {
                    findings.add(daemon + " " + path + " is " + o.status() + " after the run: " + abbreviate(o.body()));
                }
            }
        }
        checkAlive(null, findings);
        List<String> slowest = outcomes.stream().sorted(Comparator.comparingLong(Outcome::nanos).reversed()).limit(10)
                .map(o -> String.format(Locale.ROOT, "%8.1f ms %d %s", o.nanos() / 1e6, o.status(), o.c().describe())).toList();
        int distinct = byDaemon.values().stream().mapToInt(List::size).sum();
        return new Report(sent, distinct, findings, slowest, perDaemon, statuses, seed);
    }

    private void checkAlive(Case last, List<String> findings) {
        for (String daemon : urls.keySet()) {
            if (!alive.test(daemon)) {
                String f = daemon + " died" + (last == null ? "" : " (around " + last.describe() + ")");
                if (!findings.contains(f)) {
                    findings.add(f);
                }
            }
        }
    }

    private void runSetup() {
        for (Route r : setup) {
            if (urls.containsKey(r.daemon())) {
                send(new Case(r.daemon(), "setup", r.method(), r.target(), bytes(r.body()), Json.MEDIA_TYPE, Map.of(), false, false));
            }
        }
    }

    /** All mutations of one route. */
    List<Case> cases(Route r) {
        List<Case> out = new ArrayList<>();
        String target = r.target();
        boolean gw = urls.containsKey("gateway") && !r.daemon().equals("gateway");
        int[] n = {0};
        java.util.function.BiFunction<String, byte[], Case> body = (label, bytes) ->
                new Case(r.daemon(), label, r.method(), target, bytes, Json.MEDIA_TYPE, Map.of(), gw && n[0]++ % 4 == 0, false);
        if (r.body() != null) {
            Mutations.structured(r.body()).forEach(b -> out.add(body.apply(b.label(), b.bytes())));
            for (String type : Mutations.CONTENT_TYPES) {
                out.add(new Case(r.daemon(), "content type " + type, r.method(), target, bytes(r.body()), type, Map.of(), false, false));
            }
            out.add(new Case(r.daemon(), "no content type", r.method(), target, bytes(r.body()), null, Map.of(), false, false));
        }
        Mutations.malformed(r.body()).forEach(b -> out.add(body.apply(b.label(), b.bytes())));
        for (String param : r.params().keySet()) {
            for (var v : Mutations.pathValues().entrySet()) {
                Map<String, String> values = new LinkedHashMap<>(r.params());
                values.put(param, v.getValue());
                out.add(new Case(r.daemon(), "path {" + param + "} " + v.getKey(), r.method(), r.target(values) + queryString(r.query()),
                        bytes(r.body()), r.body() == null ? null : Json.MEDIA_TYPE, Map.of(), gw && n[0]++ % 2 == 0, false));
            }
        }
        for (String param : r.query().keySet()) {
            for (var v : Mutations.queryValues().entrySet()) {
                Map<String, String> q = new LinkedHashMap<>(r.query());
                q.put(param, v.getValue());
                out.add(new Case(r.daemon(), "query " + param + " " + v.getKey(), r.method(), r.target(r.params()) + queryString(q),
                        null, null, Map.of(), gw && n[0]++ % 2 == 0, false));
            }
            out.add(new Case(r.daemon(), "query " + param + " twice", r.method(), target + "&" + param + "=1", null, null, Map.of(),
                    false, false));
        }
        out.add(new Case(r.daemon(), "unknown query parameter", r.method(), target + (target.contains("?") ? "&" : "?")
                + "fuzz=%00", bytes(r.body()), r.body() == null ? null : Json.MEDIA_TYPE, Map.of(), false, false));
        for (String method : Mutations.METHODS) {
            if (!method.equals(r.method())) {
                out.add(new Case(r.daemon(), "method " + method, method, target, null, null, Map.of(), gw && n[0]++ % 2 == 0, false));
            }
        }
        for (String raw : Mutations.rawTargets(r.target(r.params()))) {
            out.add(new Case(r.daemon(), "raw target", r.method(), raw, bytes(r.body()), r.body() == null ? null : Json.MEDIA_TYPE,
                    Map.of(), false, true));
        }
        out.add(new Case(r.daemon(), "5,000-char request id", r.method(), target, bytes(r.body()),
                r.body() == null ? null : Json.MEDIA_TYPE, Map.of("X-Request-Id", "r".repeat(5_000)), gw, false));
        out.add(new Case(r.daemon(), "odd request id", r.method(), target, bytes(r.body()),
                r.body() == null ? null : Json.MEDIA_TYPE, Map.of("X-Request-Id", "a b<>\"';{}\u00e9"), gw, true));
        out.add(new Case(r.daemon(), "huge bearer", r.method(), target, bytes(r.body()),
                r.body() == null ? null : Json.MEDIA_TYPE, Map.of("Authorization", "Bearer " + "k".repeat(5_000)), gw, false));
        return out;
    }

    private List<Case> kitCases(String daemon, String path) {
        List<Case> out = new ArrayList<>();
        out.add(new Case(daemon, "kit", "GET", path, null, null, Map.of(), false, false));
        out.add(new Case(daemon, "kit query junk", "GET", path + "?x=%00&y=" + "z".repeat(5_000), null, null, Map.of(), false, false));
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            out.add(new Case(daemon, "kit method", method, path, Mutations.utf8("{"), Json.MEDIA_TYPE, Map.of(), false, false));
        }
        out.add(new Case(daemon, "kit raw", "GET", path + "/%zz", null, null, Map.of(), false, true));
        out.add(new Case(daemon, "unknown route", "POST", "/v1/fuzz/nothing/here", Mutations.utf8("{}"), Json.MEDIA_TYPE,
                Map.of(), false, false));
        return out;
    }

    /** Sends one case and judges the answer. */
    Outcome send(Case c) {
        URI base = urls.get(c.viaGateway() ? "gateway" : c.daemon());
        long start = System.nanoTime();
        int status;
        String type;
        String body;
        try {
            if (c.raw()) {
                String[] r = sendRaw(base, c);
                status = Integer.parseInt(r[0]);
                type = r[1];
                body = r[2];
            } else {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + c.target()))
                        .timeout(maxTime.multipliedBy(2))
                        .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(c.body()));
                if (c.contentType() != null) {
                    b.header("Content-Type", c.contentType());
                }
                c.headers().forEach(b::header);
                HttpResponse<byte[]> res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                status = res.statusCode();
                type = res.headers().firstValue("Content-Type").orElse("");
                body = new String(res.body(), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            return new Outcome(c, -1, "", e.toString(), System.nanoTime() - start, "no answer (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long nanos = System.nanoTime() - start;
        return new Outcome(c, status, type, body, nanos, judge(c, status, type, body, nanos));
    }

    private List<String> forbidden = List.of();

    /**
     * Texts no problem body may carry (issue 31): the server's own paths — its data directory, the checkout — so an error
     * never tells a caller where the server keeps its files.
     */
    public Fuzzer forbid(List<String> texts) {
        this.forbidden = List.copyOf(texts);
        return this;
    }

    private String judge(Case c, int status, String type, String body, long nanos) {
        for (String f : forbidden) {   // problem bodies (distilld's run summaries name their inputs' files on purpose)
            if (status >= 400 && body != null && body.contains(f)) {
                return status + " names a server path (" + (f.length() > 12 ? "…" + f.substring(f.length() - 12) : f) + ")";
            }
        }
        if (nanos > maxTime.toNanos()) {
            return String.format(Locale.ROOT, "slow: %.0f ms (limit %d ms)", nanos / 1e6, maxTime.toMillis());
        }
        boolean problemType = type.toLowerCase(Locale.ROOT).startsWith("application/problem+json");
        if (status >= 500) {
            if (status < 502 || status > 504) {
                return "5xx " + status;
            }
            JsonNode p = parse(body);
            String code = p == null ? "" : p.path("code").asText();
            if (!problemType || !DEPENDENCY_CODES.contains(code)) {
                return status + " that does not name a failed dependency (code '" + code + "')";
            }
            return null;
        }
        if (status >= 400 && !c.method().equals("HEAD")) {
            JsonNode p = parse(body);
            if (!problemType) {
                return status + " not problem+json (Content-Type '" + type + "')";
            }
            if (p == null || p.path("code").asText().isEmpty() || p.path("detail").asText().isEmpty()) {
                return status + " problem without a code or detail";
            }
        }
        return null;
    }

    private static JsonNode parse(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** HTTP/1.1 over a plain socket, {@code Connection: close}: status, content type, body (chunked decoded). */
    private String[] sendRaw(URI base, Case c) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout((int) maxTime.multipliedBy(2).toMillis());
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            StringBuilder head = new StringBuilder(c.method()).append(' ').append(c.target()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                    .append("Connection: close\r\n");
            if (c.contentType() != null) {
                head.append("Content-Type: ").append(c.contentType()).append("\r\n");
            }
            c.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(c.body() == null ? 0 : c.body().length).append("\r\n\r\n");
            req.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            if (c.body() != null) {
                req.writeBytes(c.body());
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toByteArray());
            out.flush();
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
            int b;
            int last4 = 0;   // the last four bytes read: the headers end at CR LF CR LF
            while (last4 != 0x0D0A0D0A && (b = in.read()) >= 0) {
                headBytes.write(b);
                last4 = last4 << 8 | b;
            }
            String text = headBytes.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ") || last4 != 0x0D0A0D0A) {
                throw new IOException("not an HTTP answer: " + abbreviate(text));
            }
            String status = text.substring(9, 12);
            String type = "";
            boolean chunked = false;
            long length = -1;
            for (String line : text.strip().split("\r\n")) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    type = line.substring(13).strip();
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).strip());
                }
            }
            byte[] body;
            if (c.method().equals("HEAD") || status.startsWith("1") || status.equals("204") || status.equals("304")) {
                body = new byte[0];
            } else if (chunked) {
                body = readChunked(in);
            } else if (length >= 0) {
                body = in.readNBytes((int) Math.min(length, 4 << 20));
            } else {
                body = in.readNBytes(4 << 20);   // no length: the body ends when the connection does
            }
            return new String[] {status, type, new String(body, StandardCharsets.UTF_8)};
        }
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            out.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0 && line.size() == 0) {
            throw new IOException("connection closed inside a chunked body");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(JsonNode body) {
        return body == null ? null : Json.bytes(body);
    }

    static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("?");
        query.forEach((k, v) -> sb.append(sb.length() > 1 ? "&" : "").append(k).append('=').append(v));
        return sb.toString();
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replace("\n", "\\n").replace("\r", "\\r");
        return one.length() <= MAX_BODY_SHOWN ? one : one.substring(0, MAX_BODY_SHOWN) + "…(" + one.length() + " chars)";
    }
}
