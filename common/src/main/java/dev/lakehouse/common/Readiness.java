package dev.lakehouse.common;

/**
 * The answer of one readiness check: ready, or not with a short reason ({@code loading}, {@code roster file missing});
 * {@code needsOperator} when waiting will not make it ready (a file to put in place): then {@code /ready} says so, and
 * the systemd gate lets the unit be active-but-not-ready instead of failing it into a restart loop.
 */
public record Readiness(boolean isReady, String detail, boolean needsOperator) {
    private static final Readiness READY = new Readiness(true, "ok", false);

    public static Readiness up() {
        return READY;
    }

    public static Readiness down(String detail) {
        return new Readiness(false, detail, false);
    }

    /** Not ready, and it will not be until an operator acts (the detail says what to do). */
    public static Readiness needsOperator(String detail) {
        return new Readiness(false, detail, true);
    }
}
