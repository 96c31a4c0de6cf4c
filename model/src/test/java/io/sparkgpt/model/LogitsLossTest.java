package io.sparkgpt.model;

import static io.sparkgpt.model.GPTTest.randomBatch;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The training API for losses computed outside the model: {@link LogitsLoss}, {@link GPT#gradient}, friends. */
class LogitsLossTest {
    static final GPTConfig SMALL = new GPTConfig(11, 6, 2, 2, 8, 0.0, true, false);

    /** GPT-2 init is too small for every path to carry a visible gradient: perturb it. */
    static GPT perturbed(GPTConfig c, long seed) {
        GPT g = GPT.create(c, seed);
        float[] p = g.params();
        Rng r = new Rng(seed + 100);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (r.nextGaussian() * 0.3);
        }
        g.setParams(p);
        return g;
    }

    /** Central differences of {@code objective} against the analytic gradient at ~150 parameters. */
    static void checkFiniteDifferences(GPT g, float[] analytic, java.util.function.DoubleSupplier objective) {
        float[] p = g.params();
        int checked = 0, nonZero = 0;
        for (int i = 0; i < p.length; i += Math.max(1, p.length / 150)) {
            float eps = 1e-2f;
            float[] q = p.clone();
            q[i] = p[i] + eps;
            g.setParams(q);
            double lp = objective.getAsDouble();
            q[i] = p[i] - eps;
            g.setParams(q);
            double lm = objective.getAsDouble();
            double fd = (lp - lm) / (2 * eps);
            assertTrue(Math.abs(fd - analytic[i]) <= 2e-3 + 3e-2 * Math.abs(fd),
                    "param " + i + ": analytic " + analytic[i] + " fd " + fd);
            checked++;
            nonZero += Math.abs(fd) > 1e-3 ? 1 : 0;
        }
        g.setParams(p);
        assertTrue(checked > 100 && nonZero > 50, checked + " checked, " + nonZero + " non-zero");
    }

    @Test
    void trainStepIsGradientThenUpdateBitForBit() {
        GPTConfig c = BehaviourTest.TINY.withDropout(0.1);
        int[][][] b = randomBatch(4, 12, 13, 7);
        TrainConfig tc = TrainConfig.defaults().withBatch(2, 2);
        try (GPT a = GPT.create(c, 3); GPT s = GPT.create(c, 3)) {
            for (int step = 0; step < 2; step++) {
                double la = a.trainStep(b[0], b[1], 1e-3, tc);
                double ls = s.gradient(b[0], new CrossEntropyLoss(b[1]), tc);
                s.update(1e-3, tc);
                assertEquals(la, ls);
            }
            assertArrayEquals(a.params(), s.params());
            assertArrayEquals(a.optimizerState(), s.optimizerState());
            assertEquals(a.rngState(), s.rngState());
        }
    }

    @Test
    void maskedCrossEntropyIsTheMeanOverKeptPositionsAndItsGradientIsRight() {
        int[][][] b = randomBatch(3, 6, 11, 4);
        int[][] ym = new int[3][];
        int kept = 0;
        double sumKept = 0;
        try (GPT g = perturbed(SMALL, 3)) {
            float[][] lp = g.tokenLogProbs(b[0], b[1]);
            for (int r = 0; r < 3; r++) {
                ym[r] = b[1][r].clone();
                for (int t = 0; t < 6; t++) {
                    if ((r + t) % 3 == 0) {
                        ym[r][t] = CrossEntropyLoss.IGNORE;
                    } else {
                        kept++;
                        sumKept -= lp[r][t];
                    }
                }
            }
            assertEquals(kept, new CrossEntropyLoss(ym).count());
            assertEquals(sumKept / kept, g.loss(b[0], ym), 1e-5);
            TrainConfig tc = TrainConfig.defaults().withBatch(2, 1); // two micro-batches: 2 + 1 rows
            double loss = g.gradient(b[0], new CrossEntropyLoss(ym), tc);
            assertEquals(sumKept / kept, loss, 1e-5);
            checkFiniteDifferences(g, g.gradientCopy(), () -> g.loss(b[0], ym));
        }
    }

    @Test
    void aScalarHeadOnTheTrunkGetsItsGradientThroughHiddenGrad() {
        // r_b = w . hidden[b][last position]; loss = sum_b r_b; the LM head gets no gradient
        float[] w = new float[SMALL.nEmbd()];
        Rng r = new Rng(5);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        LogitsLoss head = (row0, mb) -> {
            FloatBuffer lg = mb.logits(), h = mb.hidden(), hg = mb.hiddenGrad();
            for (int i = 0; i < mb.rows() * mb.T() * mb.V(); i++) {
                lg.put(i, 0f);
            }
            double sum = 0;
            for (int b = 0; b < mb.rows(); b++) {
                int o = (b * mb.T() + mb.T() - 1) * mb.C();
                for (int c = 0; c < mb.C(); c++) {
                    sum += w[c] * h.get(o + c);
                    hg.put(o + c, hg.get(o + c) + w[c]);
                }
            }
            return sum;
        };
        int[][] x = randomBatch(3, 6, 11, 8)[0];
        try (GPT g = perturbed(SMALL, 4)) {
            double value = g.gradient(x, head, TrainConfig.defaults().withBatch(2, 1));
            assertEquals(g.forwardInference(x, head), value, 1e-5);
            float[] grad = g.gradientCopy();
            String lm = g.tensorNames().get(g.tensorNames().size() - 1);
            assertTrue(lm.startsWith("lm_head.w@"), lm);
            int lmOff = Integer.parseInt(lm.substring(lm.indexOf('@') + 1, lm.indexOf('+')));
            for (int i = lmOff; i < grad.length; i++) {
                assertEquals(0f, grad[i], "the LM head is not part of this loss");
            }
            checkFiniteDifferences(g, grad, () -> g.forwardInference(x, head));
        }
    }

    @Test
    void tokenLogProbsAreLogSoftmaxOfTheLogits() {
        int[][][] b = randomBatch(3, 6, 11, 9);
        b[1][1][2] = CrossEntropyLoss.IGNORE;
        try (GPT g = perturbed(SMALL, 6)) {
            float[] before = g.params();
            float[][] lp = g.tokenLogProbs(b[0], b[1]);
            for (int r = 0; r < 3; r++) {
                float[][] lg = g.allLogits(b[0][r]);
                for (int t = 0; t < 6; t++) {
                    if (b[1][r][t] == CrossEntropyLoss.IGNORE) {
                        assertEquals(0f, lp[r][t]);
                        continue;
                    }
                    double z = 0;
                    for (float v : lg[t]) {
                        z += Math.exp(v);
                    }
                    assertEquals(lg[t][b[1][r][t]] - Math.log(z), lp[r][t], 1e-5, "row " + r + " position " + t);
                }
            }
            assertArrayEquals(before, g.params());
            assertEquals(0, g.optimizerSteps());
        }
    }

    @Test
    void withVocabSizeKeepsOldRowsAndOldLogits() {
        for (boolean tied : new boolean[] {true, false}) {
            GPTConfig c = new GPTConfig(11, 6, 2, 2, 8, 0.0, true, tied);
            try (GPT g = perturbed(c, 2); GPT big = g.withVocabSize(14, 77)) {
                assertEquals(14, big.config().vocabSize());
                float[] p = g.params(), q = big.params();
                java.util.List<String> on = g.tensorNames(), nn = big.tensorNames();
                assertEquals(on.size(), nn.size());
                for (int i = 0; i < on.size(); i++) {
                    int[] a = offSize(on.get(i)), b = offSize(nn.get(i));
                    boolean tokenRows = on.get(i).startsWith("wte@") || on.get(i).startsWith("lm_head.w@");
                    assertEquals(tokenRows ? a[1] + 3 * 8 : a[1], b[1], nn.get(i));
                    for (int k = 0; k < a[1]; k++) {
                        assertEquals(p[a[0] + k], q[b[0] + k], on.get(i) + " element " + k);
                    }
                    if (tokenRows) { // the three new rows are drawn, not zero
                        double ss = 0;
                        for (int k = a[1]; k < b[1]; k++) {
                            ss += q[b[0] + k] * q[b[0] + k];
                        }
                        assertTrue(ss > 0 && Math.sqrt(ss / 24) < 0.05, "new rows ~ N(0, 0.02): rms " + Math.sqrt(ss / 24));
                    }
                }
                int[] ctx = {1, 4, 10, 0, 7, 3};
                float[][] old = g.allLogits(ctx), now = big.allLogits(ctx);
                for (int t = 0; t < ctx.length; t++) {
                    for (int v = 0; v < 11; v++) {
                        assertEquals(old[t][v], now[t][v], 1e-5, "tied=" + tied + " position " + t + " id " + v);
                    }
                }
                // a new id is usable at once: embedded, predicted, trained
                int[][] x = {{12, 13, 1, 2, 11, 5}}, y = {{13, 1, 2, 11, 5, 12}};
                TrainConfig tc = TrainConfig.defaults().withBatch(1, 1);
                double l0 = big.loss(x, y);
                for (int s = 0; s < 5; s++) {
                    big.trainStep(x, y, 1e-2, tc);
                }
                assertTrue(big.loss(x, y) < l0);
            }
        }
        try (GPT g = GPT.create(SMALL, 1)) {
            assertThrows(IllegalArgumentException.class, () -> g.withVocabSize(10, 1));
        }
    }

    private static int[] offSize(String name) {
        int at = name.indexOf('@'), plus = name.indexOf('+');
        return new int[] {Integer.parseInt(name.substring(at + 1, plus)), Integer.parseInt(name.substring(plus + 1))};
    }

    @Test
    void badTargetsAreNamed() {
        int[][][] b = randomBatch(2, 6, 11, 1);
        b[1][1][3] = -2;
        try (GPT g = GPT.create(SMALL, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.trainStep(b[0], b[1], 1e-3, TrainConfig.defaults().withBatch(2, 1)));
            assertTrue(e.getMessage().contains("row 1 position 3"), e.getMessage());
        }
    }
}
