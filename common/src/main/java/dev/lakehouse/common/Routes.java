package dev.lakehouse.common;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;

/** Small helpers for a daemon's {@code *Routes} classes. */
public final class Routes {
    private Routes() {
    }

    /**
     * {@code method} on {@code path} goes to {@code handler}, and every other method
     * is answered 405 (see {@link #allow}): the usual single-method route.
     */
    public static void only(HttpRules rules, Method method, String path, Handler handler) {
        rules.route(method, path, handler);
        allow(rules, path, method);
    }

    /**
     * Answers every other method on {@code path} with 405 {@code method_not_allowed}
     * and an {@code Allow} header. Call it after the path's real routes: Helidon
     * tries routes in the order they were added.
     */
    public static void allow(HttpRules rules, String path, Method... allowed) {
        String allow = Arrays.stream(allowed).map(Method::text).collect(Collectors.joining(", "));
        Handler reject = (req, res) -> {
            throw new ApiException.BadRequest(405, "method_not_allowed",
                    req.prologue().method().text() + " is not allowed on " + req.prologue().uriPath().rawPath() + "; allowed: " + allow,
                    Map.of("Allow", allow));
        };
        rules.any(path, reject);
    }

    /**
     * A whole-number query parameter: {@code defaultValue} when absent, else it
     * must parse and lie in {@code [min, max]} — otherwise 400 {@code invalid_field}
     * naming the parameter.
     */
    public static long longParam(ServerRequest req, String name, long defaultValue, long min, long max) {
        var raw = req.query().first(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        long v;
        try {
            v = Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw new FieldError(name, "invalid_field", "must be a whole number, got '" + raw.get() + "'");
        }
        FieldError.check(v >= min && v <= max, name, "must be from " + min + " to " + max + ", got " + v);
        return v;
    }

    /** A request target without its query string: what logs and error details show (a query may hold a secret). */
    public static String withoutQuery(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }
}
