package dev.lakehouse.distilld;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A replay's summary: what a finished replay answers and its {@code summary.json} holds (keys sorted there), contract
 * docs/schemas/replay_item.schema.json's companion in docs/distilld.md. The three timings are the last session's and only
 * in the answer of the session that finished it.
 *
 * @param selected         records chosen to replay
 * @param replayed         items written (all sessions)
 * @param byDiff           items per diff (same, improved, regressed, changed, error)
 * @param errors           items a peer failed for
 * @param flaggedForReview evidence ids of exported records whose replay regressed
 * @param files            the replay directory's files
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReplaySummary(String id, String run, int selected, int replayed, Replay.Options options, Map<String, Long> byDiff,
                            Map<String, Long> regressionsByClass, Map<String, Long> regressionsByProvider, long errors,
                            double meanLatencyMs, List<String> flaggedForReview, List<String> files, Long selectMs, Long replayMs,
                            Double perSecond) {

    /** This summary with the finishing session's timings. */
    ReplaySummary timed(long selectMs, long replayMs, double perSecond) {
        return new ReplaySummary(id, run, selected, replayed, options, byDiff, regressionsByClass, regressionsByProvider, errors,
                meanLatencyMs, flaggedForReview, files, selectMs, replayMs, perSecond);
    }

    long regressed() {
        return byDiff.getOrDefault("regressed", 0L);
    }
}
