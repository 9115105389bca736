package dev.lakehouse.validatord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.lakehouse.common.ApiException;
import dev.lakehouse.validatord.client.TruthdClient;
import dev.lakehouse.validatord.roster.Roster;
import dev.lakehouse.truthd.Normalizer;

/**
 * The stale-roster check of a fill (docs/validator.md): asks truthd, by the {@code ranked}
 * strategy, for the {@code status} and {@code phone} of the fill's workers, and warns
 * {@code stale_roster} where the winner is a {@code preferred} claim from another source than
 * the roster, observed after the roster file was written, whose value differs from the
 * roster's. truthd slow (past its timeout) or down never fails a validation: the check is
 * skipped, and the answer says so ({@code skipped}).
 */
final class StaleRoster {
    static final List<String> FIELDS = List.of("status", "phone");

    private final TruthdClient truthd;

    StaleRoster(TruthdClient truthd) {
        this.truthd = truthd;
    }

    /** The check's warnings, or why it was skipped. */
    record Outcome(List<Violation> warnings, Skipped skipped) {
        static final Outcome NONE = new Outcome(List.of(), null);
    }

    /** A check that did not run: {@code {"check":"stale_roster","reason":"…"}}. */
    record Skipped(String check, String reason) {
    }

    Outcome check(ValidatordWire.Fill fill, Roster roster, Instant rosterTime) {
        List<String> subjects = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < fill.workerIds().size(); i++) {
            int row = roster.row(fill.workerIds().get(i));
            if (row >= 0 && !subjects.contains("worker:" + fill.workerIds().get(i))) {
                subjects.add("worker:" + fill.workerIds().get(i));
                rows.add(row);
                positions.add(i);
            }
        }
        if (subjects.isEmpty()) {
            return Outcome.NONE;
        }
        TruthdClient.ResolveResponse answer;
        try {
            answer = truthd.resolve(subjects, FIELDS, "ranked");
        } catch (ApiException e) {
            return new Outcome(List.of(), new Skipped("stale_roster", "truthd did not answer (" + e.code() + "): " + e.detail()));
        }
        List<Violation> out = new ArrayList<>();
        for (int k = 0; k < subjects.size(); k++) {
            Map<String, TruthdClient.Resolution> fields = answer.subjects() == null ? null : answer.subjects().get(subjects.get(k));
            if (fields == null) {
                continue;
            }
            Roster.Worker w = roster.worker(rows.get(k));
            for (String field : FIELDS) {
                TruthdClient.Resolution r = fields.get(field);
                String ours = "status".equals(field) ? w.status() : w.phone();
                Normalizer type = "phone".equals(field) ? Normalizer.PHONE : Normalizer.TEXT;
                if (r == null || r.claim() == null || ours == null || !"preferred".equals(r.claim().rank())
                        || "roster".equals(r.claim().source()) || r.claim().observedAt() == null
                        || !r.claim().observedAt().isAfter(rosterTime)
                        || type.normalize(TextNode.valueOf(ours)).equals(r.normalized())) {
                    continue;
                }
                out.add(Violation.warning("stale_roster", "worker_ids[" + positions.get(k) + "]", w.workerId() + "'s " + field
                        + " is '" + ours + "' in the roster (as of " + rosterTime + ") but " + r.value() + " by a newer preferred claim ("
                        + r.claim().source() + ", observed " + r.claim().observedAt() + ", claim " + r.claim().claimId() + ")"));
            }
        }
        return new Outcome(List.copyOf(out), null);
    }
}
