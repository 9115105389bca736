package dev.lakehouse.common;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id of the request being served on this thread. Helidon serves each
 * request on its own virtual thread, so a thread-local is exact; it is inheritable
 * so virtual threads forked for a fan-out carry it too. The kit's filter sets and
 * clears it; {@link PeerClient} and the logs read it.
 */
public final class RequestContext {
    public static final String HEADER = "X-Request-Id";
    /** Longest incoming id we keep; longer or odd ones are replaced by a fresh one. */
    public static final int MAX_ID_LENGTH = 128;
    /**
     * Marks a copy of a request made by a gateway's cutover shadow (docs/cutover.md): served as usual, observed with
     * {@code shadow: true} (never evidence), passed on to the peers it calls. Value {@code 1}.
     */
    public static final String SHADOW_HEADER = "X-Lakehouse-Shadow";

    /**
     * Who the request is served for: the gateway's name of the API key that made it ({@code anonymous} on an open
     * gateway), set by the gateway and passed on by every {@link PeerClient} call, so that chatd charges a provider call
     * made three daemons down (iterate, matrixd's role extraction, distilld's replay) to the key that caused it.
     */
    public static final String CALLER_HEADER = "X-Lakehouse-Caller";
    /** The gateway route the request came in by ({@code /v1/iterate}); passed on like the caller, for the spend ledger. */
    public static final String ROUTE_HEADER = "X-Lakehouse-Route";

    private static final InheritableThreadLocal<String> CURRENT = new InheritableThreadLocal<>();
    private static final InheritableThreadLocal<String[]> ORIGIN = new InheritableThreadLocal<>();
    private static final InheritableThreadLocal<Boolean> SHADOW = new InheritableThreadLocal<>();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestContext() {
    }

    public static Optional<String> currentId() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Runs {@code body} as if serving the request {@code id} (a job's own thread: distilld's replay calls chatd and
     * validatord under ids of its own, which their observations then carry).
     */
    public static <T> T callAs(String id, java.util.function.Supplier<T> body) {
        String before = CURRENT.get();
        CURRENT.set(id);
        try {
            return body.get();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    /** Whether the request being served is a shadow copy ({@link #SHADOW_HEADER}). */
    public static boolean shadow() {
        return Boolean.TRUE.equals(SHADOW.get());
    }

    static void set(String id) {
        CURRENT.set(id);
    }

    /** The caller's key name, when the request came through a gateway ({@link #CALLER_HEADER}). */
    public static Optional<String> caller() {
        String[] o = ORIGIN.get();
        return o == null ? Optional.empty() : Optional.ofNullable(o[0]);
    }

    /** The gateway route the request came in by ({@link #ROUTE_HEADER}). */
    public static Optional<String> route() {
        String[] o = ORIGIN.get();
        return o == null ? Optional.empty() : Optional.ofNullable(o[1]);
    }

    /**
     * Sets who the request on this thread is served for (the gateway, once it has checked the key; the kit's filter,
     * from the headers). A value that is not printable or longer than {@value #MAX_ID_LENGTH} characters is dropped.
     */
    public static void origin(String caller, String route) {
        String c = printable(caller) ? caller : null;
        String r = printable(route) ? route : null;
        if (c == null && r == null) {
            ORIGIN.remove();
        } else {
            ORIGIN.set(new String[] {c, r});
        }
    }

    private static boolean printable(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    static void set(String id, boolean shadow) {
        CURRENT.set(id);
        if (shadow) {
            SHADOW.set(Boolean.TRUE);
        } else {
            SHADOW.remove();
        }
    }

    static void clear() {
        CURRENT.remove();
        SHADOW.remove();
        ORIGIN.remove();
    }

    /** The caller's id when it is printable and short, else a new random one. */
    public static String acceptOrGenerate(String incoming) {
        return isAcceptable(incoming) ? incoming : newId();
    }

    static boolean isAcceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 32 hex digits (128 random bits). */
    public static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        for (int half = 0; half < 2; half++) {
            long bits = random.nextLong();
            for (int i = 0; i < 16; i++) {
                out[half * 16 + i] = HEX[(int) (bits >>> (60 - 4 * i)) & 0xf];
            }
        }
        return new String(out);
    }
}
