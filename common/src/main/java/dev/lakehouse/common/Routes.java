package dev.lakehouse.common;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;

/** Small helpers for a daemon's {@code *Routes} classes. */
public final class Routes {
    private Routes() {
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
                    req.prologue().method().text() + " is not allowed on " + req.path().rawPath() + "; allowed: " + allow,
                    Map.of("Allow", allow));
        };
        rules.any(path, reject);
    }
}
