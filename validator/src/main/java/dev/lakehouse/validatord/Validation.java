package dev.lakehouse.validatord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.lakehouse.common.Observer;
import dev.lakehouse.validatord.roster.Roster;

/**
 * Runs the right validator for an artifact against the loaded roster (and, for a
 * fill, truthd's stale-roster check when configured), times it, and records the
 * outcome through the observer client (kind {@code validate}).
 * The validators are built per roster, once.
 */
final class Validation {
    /** A verdict: valid when no violation is an error. */
    record Result(boolean valid, ValidatordWire.Kind kind, List<Violation> violations, List<StaleRoster.Skipped> skipped,
                  double tookMs) {
    }

    private final RosterHolder roster;
    private final Observer observer;
    private final StaleRoster staleRoster;   // null: not asked
    private volatile Validators validators;

    private record Validators(FillValidator fill, EmailValidator email) {
    }

    Validation(RosterHolder roster, Observer observer, StaleRoster staleRoster) {
        this.roster = roster;
        this.observer = observer;
        this.staleRoster = staleRoster;
    }

    /** Validates and records the outcome ({@code validate}). */
    Result validate(ValidatordWire.Artifact artifact) {
        Result r = check(artifact);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", artifact.kind().toString());
        payload.put("valid", r.valid());
        payload.put("artifact", artifact);
        payload.put("violations", r.violations());
        payload.put("skipped", r.skipped());
        payload.put("took_ms", r.tookMs());
        observer.observe("validate", payload);
        return r;
    }

    /** Validates without recording (the iterate loop records its attempts itself). */
    Result check(ValidatordWire.Artifact artifact) {
        long t0 = System.nanoTime();
        Validators v = validators();
        StaleRoster.Outcome truth = artifact instanceof ValidatordWire.Fill fill && staleRoster != null
                ? staleRoster.check(fill, roster.require(), roster.fileTime()) : StaleRoster.Outcome.NONE;
        List<Violation> violations = switch (artifact) {
            case ValidatordWire.Fill fill -> concat(v.fill().validate(fill), truth.warnings());
            case ValidatordWire.Email email -> v.email().validate(email);
        };
        double ms = Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
        return new Result(violations.stream().noneMatch(Violation::isError), artifact.kind(), List.copyOf(violations),
                truth.skipped() == null ? null : List.of(truth.skipped()), ms);
    }

    private static List<Violation> concat(List<Violation> a, List<Violation> b) {
        if (b.isEmpty()) {
            return a;
        }
        List<Violation> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private Validators validators() {
        Roster r = roster.require();
        Validators v = validators;
        if (v == null) {   // the roster is loaded once, in the background: build them when it is there
            v = new Validators(new FillValidator(r), new EmailValidator(r));
            validators = v;
        }
        return v;
    }
}
