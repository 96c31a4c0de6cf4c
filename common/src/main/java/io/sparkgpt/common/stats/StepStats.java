package io.sparkgpt.common.stats;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one step did: documents and bytes in, kept, dropped by reason, and its time. Immutable; the JSON form is
 * what {@code stats.json} holds for each step.
 */
public record StepStats(String step, long documentsIn, long documentsKept, long bytesIn, long bytesKept,
                        Map<String, Long> droppedByReason, Map<String, Long> counters, double seconds) {

    public StepStats {
        droppedByReason = Collections.unmodifiableMap(new TreeMap<>(droppedByReason));
        counters = Collections.unmodifiableMap(new TreeMap<>(counters));
    }

    public long documentsDropped() {
        return droppedByReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
