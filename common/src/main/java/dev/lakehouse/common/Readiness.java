package dev.lakehouse.common;

/** The answer of one readiness check: ready, or not with a short reason ({@code loading}, {@code roster file missing}). */
public record Readiness(boolean isReady, String detail) {
    private static final Readiness READY = new Readiness(true, "ok");

    public static Readiness up() {
        return READY;
    }

    public static Readiness down(String detail) {
        return new Readiness(false, detail);
    }
}
