package dev.lakehouse.common;

/**
 * The answer of one readiness check: ready, or not with a short reason ({@code loading}, {@code roster file missing});
 * {@code needsOperator} when waiting will not make it ready (a file to put in place): then {@code /ready} says so, and
 * the systemd gate lets the unit be active-but-not-ready instead of failing it into a restart loop. {@code waitingFor}
 * names a peer this daemon waits on (pathwayd's search indexes on embedd): it becomes ready when the peer does; the
 * systemd gate waits its time for that, then lets the unit be active-but-not-ready rather than fail it, since
 * restarting this daemon would not bring the peer up.
 */
public record Readiness(boolean isReady, String detail, boolean needsOperator, String waitingFor) {
    private static final Readiness READY = new Readiness(true, "ok", false, null);

    public Readiness(boolean isReady, String detail, boolean needsOperator) {
        this(isReady, detail, needsOperator, null);
    }

    public static Readiness up() {
        return READY;
    }

    public static Readiness down(String detail) {
        return new Readiness(false, detail, false);
    }

    /** Not ready until {@code peer} is (the detail says what for). */
    public static Readiness waitingFor(String peer, String detail) {
        return new Readiness(false, detail, false, peer);
    }

    /** Not ready, and it will not be until an operator acts (the detail says what to do). */
    public static Readiness needsOperator(String detail) {
        return new Readiness(false, detail, true);
    }
}
