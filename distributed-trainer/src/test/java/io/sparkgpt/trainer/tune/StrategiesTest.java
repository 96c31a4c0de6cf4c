package io.sparkgpt.trainer.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.UsageException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The search space file, the grid and seeded random strategies, successive halving's rungs and promotion, folds. */
class StrategiesTest {
    static final String SPACE = """
            {"lr": {"log_uniform": [1e-4, 1e-2], "grid": 3},
             "batch-size": {"choice": [4, 8]},
             "warmup": {"int": [0, 10], "grid": 3},
             "dropout": {"uniform": [0.0, 0.2], "grid": 2}}""";

    @Test
    void gridIsTheCrossProductWithLogSpacedRanges() {
        List<Map<String, Object>> g = Strategies.grid(SearchSpace.parse(SPACE, "space.json"));
        assertEquals(3 * 2 * 3 * 2, g.size());
        assertEquals(g.size(), new HashSet<>(g).size(), "grid points repeat");
        Set<Object> lrs = new HashSet<>();
        g.forEach(m -> lrs.add(m.get("lr")));
        assertEquals(Set.of(1e-4, 1e-3, 1e-2), lrs);
        assertEquals(Map.of("lr", 1e-4, "batch-size", 4L, "warmup", 0L, "dropout", 0.0), g.get(0));
        assertEquals(Map.of("lr", 1e-2, "batch-size", 8L, "warmup", 10L, "dropout", 0.2), g.get(g.size() - 1));
        Set<Object> warm = new HashSet<>();
        g.forEach(m -> warm.add(m.get("warmup")));
        assertEquals(Set.of(0L, 5L, 10L), warm);
    }

    @Test
    void randomIsSeededAndInRange() {
        SearchSpace sp = SearchSpace.parse(SPACE, "space.json");
        List<Map<String, Object>> a = Strategies.random(sp, 20, 42);
        assertEquals(a, Strategies.random(sp, 20, 42));
        assertNotEquals(a, Strategies.random(sp, 20, 43));
        for (Map<String, Object> m : a) {
            double lr = (Double) m.get("lr");
            assertTrue(lr >= 1e-4 && lr <= 1e-2, "lr " + lr);
            assertTrue(List.of(4L, 8L).contains(m.get("batch-size")));
            long w = (Long) m.get("warmup");
            assertTrue(w >= 0 && w <= 10);
            double d = (Double) m.get("dropout");
            assertTrue(d >= 0 && d <= 0.2);
        }
        // log-uniform: about half the draws below the geometric middle 1e-3
        long below = Strategies.random(sp, 400, 1).stream().filter(m -> (Double) m.get("lr") < 1e-3).count();
        assertTrue(below > 150 && below < 250, "draws below 1e-3: " + below);
    }

    @Test
    void badSpacesAreNamed() {
        UsageException e = assertThrows(UsageException.class,
                () -> SearchSpace.parse("{\"lr\": {\"log_uniform\": [0, 1]}}", "s.json"));
        assertTrue(e.getMessage().startsWith("s.json: \"lr\": bad range"), e.getMessage());
        assertThrows(UsageException.class, () -> SearchSpace.parse("{\"--lr\": {\"choice\": [1]}}", "s.json"));
        assertThrows(UsageException.class, () -> SearchSpace.parse("{\"lr\": {\"normal\": [1, 2]}}", "s.json"));
        assertThrows(UsageException.class, () -> SearchSpace.parse("[1]", "s.json"));
        assertThrows(UsageException.class, () -> SearchSpace.parse("{}", "s.json"));
    }

    @Test
    void halvingRungsAndPromotion() {
        Halving h = new Halving(10, 90, 3);
        assertEquals(List.of(10L, 30L, 90L), h.budgets());
        assertEquals(List.of(10L, 30L, 60L), new Halving(10, 60, 3).budgets());
        List<Halving.Result> rung = List.of(new Halving.Result("t0", 2.0), new Halving.Result("t1", 1.5),
                new Halving.Result("t2", Double.NaN), new Halving.Result("t3", 1.7), new Halving.Result("t4", 3.0),
                new Halving.Result("t5", 1.0), new Halving.Result("t6", 2.5));
        assertEquals(List.of("t5", "t1"), h.promote(rung, true)); // 7 / 3 = 2 best, lower is better
        assertEquals(List.of("t4", "t6"), h.promote(rung, false));
        // never fewer than one, never a failed one
        assertEquals(List.of("t1"), h.promote(List.of(new Halving.Result("t0", Double.NaN),
                new Halving.Result("t1", 5.0)), true));
        // ties broken by id: a re-run promotes the same trials
        assertEquals(List.of("a", "b"), new Halving(1, 4, 2).promote(List.of(new Halving.Result("b", 1.0),
                new Halving.Result("c", 1.0), new Halving.Result("a", 1.0), new Halving.Result("d", 1.0)), true));
        assertThrows(UsageException.class, () -> new Halving(10, 5, 3));
        assertThrows(UsageException.class, () -> new Halving(1, 5, 1));
    }

    @Test
    void foldsByHashAreDisjointCoveringAndStable() {
        int k = 5;
        int[] sizes = new int[k];
        for (int i = 0; i < 2000; i++) {
            String id = "example " + i;
            int holders = 0;
            for (int f = 0; f < k; f++) {
                holders += new Fold(k, f).holds(id) ? 1 : 0;
            }
            assertEquals(1, holders, id + " is held out by " + holders + " folds");
            sizes[Fold.of(id, k)]++;
            assertEquals(Fold.of(id, k), Fold.of(new String(id.toCharArray()), k));
        }
        for (int s : sizes) {
            assertTrue(s > 320 && s < 480, "fold sizes " + java.util.Arrays.toString(sizes));
        }
        assertThrows(IllegalArgumentException.class, () -> new Fold(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Fold(3, 3));
    }
}
