package dev.lakehouse.matrixd.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import dev.lakehouse.common.ConfigException;

/**
 * The vectords matrixd and pathwayd may call, by origin ({@code scheme://host:port}, host in lower case, the scheme's
 * port when none is written). A URL is allowed when its origin is listed and it has no user info, query, fragment or
 * path beyond {@code /}: so {@code http://127.0.0.1:4217@evil:80}, another port on loopback, a link-local metadata
 * address, {@code file:} or {@code gopher:} are refused before any connection is made.
 */
public final class VectordAllowlist {
    private final Set<String> origins;

    private VectordAllowlist(Set<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    /** From a comma-separated list; a malformed entry fails start-up naming the variable. */
    public static VectordAllowlist parse(String variable, String list) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : list.split(",")) {
            if (s.isBlank()) {
                continue;
            }
            String o = origin(s.strip());
            if (o == null) {
                throw new ConfigException(variable + ": '" + s.strip() + "' is not an http(s) URL of a vectord, like http://vectord:4217");
            }
            out.add(o);
        }
        if (out.isEmpty()) {
            throw new ConfigException(variable + " names no vectord");
        }
        return new VectordAllowlist(out);
    }

    /** Exactly these URLs (a daemon with one vectord, a test). */
    public static VectordAllowlist of(URI... urls) {
        Set<String> out = new LinkedHashSet<>();
        for (URI u : urls) {
            String o = origin(u.toString());
            if (o == null) {
                throw new IllegalArgumentException(u + " is not an http(s) URL");
            }
            out.add(o);
        }
        return new VectordAllowlist(out);
    }

    public boolean allows(URI url) {
        String o = origin(url.toString());
        return o != null && origins.contains(o);
    }

    public Set<String> origins() {
        return origins;
    }

    /** {@code scheme://host:port}, or null when the URL is not a plain http(s) origin. */
    static String origin(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme) || u.getHost() == null || u.getRawUserInfo() != null
                || u.getRawQuery() != null || u.getRawFragment() != null || !(u.getRawPath() == null || u.getRawPath().isEmpty()
                || u.getRawPath().equals("/"))) {
            return null;
        }
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    @Override
    public String toString() {
        return String.join(",", origins);
    }
}
