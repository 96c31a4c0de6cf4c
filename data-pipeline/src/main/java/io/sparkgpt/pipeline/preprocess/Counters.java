package io.sparkgpt.pipeline.preprocess;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/** Named long counters of one step inside one task; merged across tasks by {@link CountersAccumulator}. */
public final class Counters implements Serializable {
    private final String prefix;
    private final Map<String, Long> sink;

    Counters(String prefix, Map<String, Long> sink) {
        this.prefix = prefix;
        this.sink = sink;
    }

    /** Standalone counters (tests, the benchmark). */
    public static Counters standalone(String step) {
        return new Counters(step + ".counter.", new TreeMap<>());
    }

    public void add(String name, long n) {
        if (n != 0) {
            sink.merge(prefix + name, n, Long::sum);
        }
    }

    public void increment(String name) {
        add(name, 1);
    }

    public long get(String name) {
        return sink.getOrDefault(prefix + name, 0L);
    }
}
