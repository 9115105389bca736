/*
 * Driver for scripts/bench/truth.sh (a single-file program on the validator jar's class path):
 *   TrustBench <subjects> <sources> <seed>
 * Builds <subjects> fields, each asserted by every one of <sources> sources, where source i gives the true value
 * with probability 0.95 - 0.15 i (0.95, 0.80, 0.65, …) and a wrong one otherwise, and times truthd's trust
 * estimation (TruthFinder) over them: the median of 5 runs, with the trust each source ends with.
 */
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.lakehouse.truthd.TrustEstimator;

public class TrustBench {
    public static void main(String[] args) {
        int subjects = Integer.parseInt(args[0]);
        int sources = Integer.parseInt(args[1]);
        Random rng = new Random(Long.parseLong(args[2]));
        List<Map<String, List<String>>> objects = new ArrayList<>(subjects);
        for (int o = 0; o < subjects; o++) {
            Map<String, List<String>> values = new LinkedHashMap<>();
            for (int s = 0; s < sources; s++) {
                boolean right = rng.nextDouble() < 0.95 - 0.15 * s;
                String v = right ? "true" : "wrong-" + rng.nextInt(3);
                values.computeIfAbsent(v, k -> new ArrayList<>()).add("source" + s);
            }
            objects.add(values);
        }
        List<Double> ms = new ArrayList<>();
        TrustEstimator.Estimate last = null;
        for (int run = 0; run < 5; run++) {
            TrustEstimator.Builder b = new TrustEstimator.Builder();
            long t0 = System.nanoTime();
            objects.forEach(b::add);
            last = b.estimate();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        ms.sort(null);
        System.out.printf("trust estimation over %,d subjects x %d sources: median %.0f ms (runs %s), %d rounds%n",
                subjects, sources, ms.get(2), ms.stream().map(m -> String.format("%.0f", m)).toList(), last.rounds());
        System.out.println("estimated trust: " + last.trust());
    }
}
