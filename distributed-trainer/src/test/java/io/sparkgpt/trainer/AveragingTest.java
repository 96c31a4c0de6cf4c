package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The averaging and outer-optimizer arithmetic, on plain float vectors. */
class AveragingTest {
    static WorkerResult result(int worker, float[] p, float[] s, double loss) {
        return new WorkerResult(worker, p, s, loss, 2, 100, 1.5 + worker, 0.1);
    }

    @Test
    void averagesParametersStateAndCounters() {
        ParamSum a = ParamSum.zero().add(result(0, new float[] {1, 2, 3}, new float[] {0.5f, 1}, 4));
        ParamSum b = ParamSum.zero().add(result(1, new float[] {3, 4, 5}, new float[] {1.5f, 3}, 2));
        ParamSum c = ParamSum.zero().add(result(2, new float[] {5, 0, -2}, new float[] {1f, 2}, 0));
        ParamSum all = a.merge(b).merge(c);
        assertEquals(3, all.workers());
        assertArrayEquals(new float[] {3, 2, 2}, all.averageParams());
        assertArrayEquals(new float[] {1, 2}, all.averageState());
        assertEquals(1.0, all.meanLoss(), 1e-12); // (4 + 2 + 0) / 6 steps
        assertEquals(300, all.tokens());
        assertEquals(3.5, all.maxComputeSeconds());
        assertEquals(ParamSum.expectedWorkerSetHash(3), all.workerSetHash());
        assertEquals(all, all.merge(ParamSum.zero()));
    }

    @Test
    void twoWorkersAverageTheSameWhicheverArrivesFirst() {
        Random r = new Random(3);
        float[] p0 = new float[10_000];
        float[] p1 = new float[10_000];
        for (int i = 0; i < p0.length; i++) {
            p0[i] = (float) r.nextGaussian();
            p1[i] = (float) (r.nextGaussian() * 1e-6);
        }
        float[] ab = ParamSum.zero().merge(ParamSum.zero().add(result(0, p0, null, 0)))
                .merge(ParamSum.zero().add(result(1, p1, null, 0))).averageParams();
        float[] ba = ParamSum.zero().merge(ParamSum.zero().add(result(1, p1, null, 0)))
                .merge(ParamSum.zero().add(result(0, p0, null, 0))).averageParams();
        assertArrayEquals(ab, ba);
        assertNull(ParamSum.zero().add(result(0, p0, null, 0)).averageState());
    }

    @Test
    void rejectsVectorsOfDifferentLengths() {
        ParamSum a = ParamSum.zero().add(result(0, new float[] {1, 2}, null, 0));
        assertThrows(IllegalStateException.class, () -> a.add(result(1, new float[] {1, 2, 3}, null, 0)));
    }

    @Test
    void noOuterOptimizerTakesTheAverage() {
        OuterOptimizer o = new OuterOptimizer(OuterOptimizer.Kind.NONE, 0.7, 0.9);
        assertArrayEquals(new float[] {2, 4}, o.step(new float[] {1, 1}, new float[] {2, 4}));
        assertNull(o.velocity());
    }

    @Test
    void nesterovFollowsTorchSgdNesterov() {
        OuterOptimizer o = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 0.7, 0.9);
        float[] theta = {1.0f, -2.0f};
        // round 1: delta = start - avg = (0.1, -0.2); m = delta; update = delta + 0.9 m = 1.9 delta
        float[] t1 = o.step(theta, new float[] {0.9f, -1.8f});
        assertEquals(1.0 - 0.7 * 1.9 * 0.1, t1[0], 1e-6);
        assertEquals(-2.0 + 0.7 * 1.9 * 0.2, t1[1], 1e-6);
        assertArrayEquals(new float[] {0.1f, -0.2f}, o.velocity(), 1e-6f);
        // round 2: delta = (0.05, 0); m = 0.9 * 0.1 + 0.05 = 0.14; update = 0.05 + 0.9 * 0.14 = 0.176
        float[] t2 = o.step(t1, new float[] {t1[0] - 0.05f, t1[1]});
        assertEquals(t1[0] - 0.7 * 0.176, t2[0], 1e-6);
        assertEquals(0.9 * -0.2, o.velocity()[1], 1e-6);
        assertEquals(t1[1] - 0.7 * (0.9 * 0.9 * -0.2), t2[1], 1e-6);
    }

    @Test
    void nesterovWithLrOneAndNoMomentumIsPlainAveraging() {
        OuterOptimizer o = new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 1.0, 0.0);
        assertArrayEquals(new float[] {0.25f, 3f}, o.step(new float[] {1, 1}, new float[] {0.25f, 3f}), 1e-7f);
    }

    @Test
    void floatVectorsRoundTripAndRefuseTruncation() {
        float[] v = {1.5f, Float.MIN_VALUE, -0f, Float.NaN};
        byte[] b = FloatArrays.toBytes(v);
        assertArrayEquals(v, FloatArrays.fromBytes(b, "v"));
        assertThrows(IllegalStateException.class, () -> FloatArrays.fromBytes(java.util.Arrays.copyOf(b, 12), "v"));
        assertEquals(FloatArrays.sha256(v), FloatArrays.sha256(v.clone()));
    }

    @Test
    void workerSeedsDifferByRoundAndWorker() {
        long a = Seeds.worker(1, 1, 0);
        assertEquals(a, Seeds.worker(1, 1, 0));
        assert a != Seeds.worker(1, 2, 0) && a != Seeds.worker(1, 1, 1) && a != Seeds.worker(2, 1, 0);
    }
}
