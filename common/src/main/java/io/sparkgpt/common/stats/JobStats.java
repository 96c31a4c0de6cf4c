package io.sparkgpt.common.stats;

import java.util.List;
import java.util.Map;

/** {@code stats.json} of one job run: its name, its inputs, the steps in order, and totals. */
public record JobStats(String job, List<String> inputs, List<StepStats> steps, Map<String, Object> totals,
                       double seconds) {
    public JobStats {
        inputs = List.copyOf(inputs);
        steps = List.copyOf(steps);
        totals = Map.copyOf(totals);
    }
}
