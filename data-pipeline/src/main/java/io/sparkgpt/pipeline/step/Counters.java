package io.sparkgpt.pipeline.step;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/** Named long counters of one step inside one task; merged across tasks by {@link CountersAccumulator}. */
public final class Counters implements Serializable {
    private final String prefix;
    private final Map<String, Long> sink;

    private Counters(String prefix, Map<String, Long> sink) {
        this.prefix = prefix;
        this.sink = sink;
    }

    /** The counters of {@code step}, kept in {@code sink} as {@code <step>.counter.<name>} (the job's task map). */
    public static Counters of(String step, Map<String, Long> sink) {
        return new Counters(step + ".counter.", sink);
    }

    /** Standalone counters (tests, the benchmark). */
    public static Counters standalone(String step) {
        return of(step, new TreeMap<>());
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
