package io.sparkgpt.pipeline.step;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/**
 * Sums named counters over all tasks of the read+steps pass. Keys are {@code <step>.in}, {@code <step>.kept},
 * {@code <step>.bytes_in}, {@code <step>.bytes_kept}, {@code <step>.nanos}, {@code <step>.dropped.<reason>} and
 * {@code <step>.counter.<name>}. A retried task adds its counts again (Spark accumulators in transformations are
 * at-least-once); the documents themselves are exact, the stats may then over-count.
 */
public final class CountersAccumulator extends AccumulatorV2<Map<String, Long>, Map<String, Long>> {
    private final TreeMap<String, Long> values = new TreeMap<>();

    @Override
    public boolean isZero() {
        return values.isEmpty();
    }

    @Override
    public CountersAccumulator copy() {
        CountersAccumulator c = new CountersAccumulator();
        synchronized (this) {
            c.values.putAll(values);
        }
        return c;
    }

    @Override
    public synchronized void reset() {
        values.clear();
    }

    @Override
    public synchronized void add(Map<String, Long> v) {
        v.forEach((k, n) -> values.merge(k, n, Long::sum));
    }

    @Override
    public void merge(org.apache.spark.util.AccumulatorV2<Map<String, Long>, Map<String, Long>> other) {
        add(other.value());
    }

    @Override
    public synchronized Map<String, Long> value() {
        return new TreeMap<>(values);
    }
}
