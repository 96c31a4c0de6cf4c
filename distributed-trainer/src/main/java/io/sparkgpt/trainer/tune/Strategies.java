package io.sparkgpt.trainer.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The trials' parameter sets a search starts with: every grid point, or seeded random draws. */
public final class Strategies {
    private Strategies() {
    }

    /** The grid's cross product, the first parameter varying slowest (file order). */
    public static List<Map<String, Object>> grid(SearchSpace space) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (SearchSpace.Param p : space.params()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> partial : out) {
                for (Object v : p.grid()) {
                    Map<String, Object> m = new LinkedHashMap<>(partial);
                    m.put(p.name(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    /** {@code n} draws from one {@link Random} seeded with {@code seed}: the same seed, the same trials. */
    public static List<Map<String, Object>> random(SearchSpace space, int n, long seed) {
        Random rnd = new Random(seed);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (SearchSpace.Param p : space.params()) {
                Object v = p.draw(rnd);
                m.put(p.name(), v instanceof Double d ? Double.parseDouble(String.format("%.6g", d)) : v);
            }
            out.add(m);
        }
        return out;
    }
}
