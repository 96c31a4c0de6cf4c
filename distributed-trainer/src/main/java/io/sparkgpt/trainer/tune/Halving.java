package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.cli.UsageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Successive halving (the synchronous form of ASHA): rung 0 runs every trial at {@code minBudget}; each next rung
 * continues the best {@code 1/eta} of the previous rung (at least one) at {@code eta} times its budget, from its own
 * checkpoint, until {@code maxBudget}. With the learning-rate schedule fixed to the largest budget (the tune job sets
 * the job's decay horizon to it), a continued trial is exactly the prefix-plus-rest of one long run.
 */
public record Halving(long minBudget, long maxBudget, int eta) {
    public Halving {
        if (eta < 2) {
            throw new UsageException("--eta " + eta + " must be >= 2");
        }
        if (minBudget < 1 || maxBudget < minBudget) {
            throw new UsageException("budgets must satisfy 1 <= --min-budget (" + minBudget + ") <= --max-budget ("
                    + maxBudget + ")");
        }
    }

    /** The budget of each rung: minBudget x eta^r, the last one capped at maxBudget. */
    public List<Long> budgets() {
        List<Long> out = new ArrayList<>();
        long b = minBudget;
        while (b < maxBudget) {
            out.add(b);
            b *= eta;
        }
        out.add(maxBudget);
        return out;
    }

    /** A finished trial of a rung: its id and its figure (NaN = failed, never promoted). */
    public record Result(String id, double metric) {
    }

    /**
     * Which trials of a finished rung go on: the best {@code max(1, floor(n / eta))} by metric ({@code lowerIsBetter}
     * or not), failed ones never, ties broken by id so that a resumed search promotes the same trials.
     */
    public List<String> promote(List<Result> rung, boolean lowerIsBetter) {
        Comparator<Result> byMetric = Comparator.comparingDouble(Result::metric);
        if (!lowerIsBetter) {
            byMetric = byMetric.reversed();
        }
        List<Result> ok = new ArrayList<>(rung.stream().filter(r -> Double.isFinite(r.metric())).toList());
        ok.sort(byMetric.thenComparing(Result::id));
        int keep = Math.max(1, rung.size() / eta);
        return ok.stream().limit(keep).map(Result::id).toList();
    }
}
