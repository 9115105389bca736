package dev.lakehouse.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

import dev.lakehouse.common.ApiException;
import dev.lakehouse.common.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The operator console (docs/console.md): a fixed set of files from the jar's
 * {@code console/} directory, read once at start and served from memory — no path
 * is ever resolved against a directory, so there is nothing to traverse — each
 * with an ETag and one strict Content-Security-Policy (scripts, styles and calls
 * to this origin only). The page needs no key; its calls carry one.
 * <pre>
 * GET /console                → 308 to /console/
 * GET /console/               the page
 * GET /console/{asset}        console.js, console.css, vendor/uPlot.iife.min.js, …
 * GET /console/api/session    who the Authorization header's key is, and its scopes (401 if unknown)
 * </pre>
 * {@code curl -s localhost:4200/console/api/session -H 'Authorization: Bearer …'}
 */
final class ConsoleRoutes implements HttpService {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    /** The files of the console and their types; the vendored ones are unpacked from their npm packages' WebJars by the build. */
    static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8",
            "vendor/uPlot.min.css", "text/css; charset=utf-8",
            "vendor/uPlot.LICENSE", "text/plain; charset=utf-8");

    private record Asset(byte[] body, String type, String etag) {
    }

    private final Gateway gateway;
    private final Map<String, Asset> assets = new LinkedHashMap<>();

    ConsoleRoutes(Gateway gateway) {
        this.gateway = gateway;
        ASSETS.forEach((name, type) -> {
            try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream("console/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("the console's " + name + " is not in the gateway jar (a broken build)");
                }
                byte[] body = in.readAllBytes();
                assets.put(name, new Asset(body, type, "\"" + HexFormat.of().formatHex(sha256(body), 0, 8) + "\""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String method = req.prologue().method().text();
        String path = req.prologue().uriPath().rawPath();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new ApiException.BadRequest(405, "method_not_allowed", method + " is not allowed on " + shorten(path)
                    + "; the console is read with GET", Map.of("Allow", "GET, HEAD"));
        }
        if (path.equals("/console")) {
            res.status(Status.PERMANENT_REDIRECT_308).header(HeaderNames.LOCATION, "/console/").send();
            return;
        }
        String name = path.startsWith("/console/") ? path.substring("/console/".length()) : path;
        if (name.equals("api/session")) {
            session(req, res);
            return;
        }
        Asset asset = assets.get(name.isEmpty() ? "index.html" : name);
        if (asset == null) {
            throw new ApiException.NotFound("not_found", "the console has no file " + shorten(path) + "; it has " + new TreeSet<>(assets.keySet()));
        }
        res.header(HeaderNames.CONTENT_TYPE, asset.type());
        res.header(HeaderNames.ETAG, asset.etag());
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderValues.create("Content-Security-Policy", CSP));
        res.header(HeaderValues.create("X-Content-Type-Options", "nosniff"));
        res.header(HeaderValues.create("Referrer-Policy", "no-referrer"));
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(asset.etag()::equals).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.send(asset.body());
    }

    /**
     * The key's name and scopes, and which scopes exist: the page greys out what the
     * key may not use. Asked without a key, a gateway with keys answers that it needs
     * one ({@code "authenticated":false}) — what any 401 says — so the page can ask for
     * one without an error; a key it does not know is a 401.
     */
    private void session(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (authorization == null && !gateway.open()) {
            Json.send(res, 200, Map.of("authenticated", false, "open", false, "scopes", java.util.List.of(), "all_scopes", RouteTable.SCOPES));
            return;
        }
        ApiKeys.Caller caller = gateway.identify(authorization);
        Json.send(res, 200, Map.of("authenticated", true, "name", caller.name(), "scopes", new TreeSet<>(caller.scopes()),
                "open", gateway.open(), "all_scopes", RouteTable.SCOPES));
    }

    private static String shorten(String path) {
        return path.length() > 200 ? path.substring(0, 200) + "…" : path;
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
