package io.sparkgpt.model.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The DL4J graph and the fast GPT agree: same weights, same logits, loss, gradients, Adam step; serialisation. */
class Dl4jGptTest {
    private static final long SEED = 42;
    private static final GPTConfig TIED = new GPTConfig(13, 8, 2, 2, 16, 0.0, false, true);
    private static final GPTConfig UNTIED_BIAS = new GPTConfig(13, 8, 2, 2, 16, 0.0, true, false);

    private static int[][][] batch(GPTConfig c, int rows, long seed) {
        Random r = new Random(seed);
        int[][] x = new int[rows][c.blockSize()], y = new int[rows][c.blockSize()];
        for (int b = 0; b < rows; b++) {
            int prev = r.nextInt(c.vocabSize());
            for (int t = 0; t < c.blockSize(); t++) {
                x[b][t] = prev;
                prev = (prev * 3 + 1 + r.nextInt(2)) % c.vocabSize(); // learnable: next depends on current
                y[b][t] = prev;
            }
        }
        return new int[][][] {x, y};
    }

    /** A constant learning rate, no clipping: the two engines' updates are then comparable. */
    private static TrainConfig plain(double lr, double wd, int rows) {
        return TrainConfig.defaults().withLearningRate(lr).withMinLr(lr).withWarmupSteps(0).withMaxSteps(1_000_000)
                .withWeightDecay(wd).withBetas(0.9, 0.95).withGradClip(0).withBatch(rows, 1);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void sameWeightsGiveSameLogitsAndLoss() {
        for (GPTConfig c : List.of(TIED, UNTIED_BIAS)) {
            ComputationGraph g = Dl4jGpt.build(c, SEED);
            try (GPT gpt = GPT.create(c, SEED)) {
                // biases and gains are zero/one at init: perturb them so the bias paths are really compared
                float[] p = gpt.params();
                Random r = new Random(7);
                for (int i = 0; i < p.length; i++) {
                    p[i] += (float) (r.nextGaussian() * 0.05);
                }
                gpt.setParams(p);
                Dl4jGpt.copyWeights(gpt, g);
                int[][][] xy = batch(c, 3, 1);
                float[][][] dl = Dl4jGpt.logits(g, xy[0]);
                for (int b = 0; b < 3; b++) {
                    float[][] fast = gpt.allLogits(xy[0][b]);
                    for (int t = 0; t < c.blockSize(); t++) {
                        assertTrue(maxAbsDiff(fast[t], dl[b][t]) < 1e-4, c + " row " + b + " pos " + t + ": "
                                + maxAbsDiff(fast[t], dl[b][t]));
                    }
                }
                // a shorter context (padded inside logits) gives the same logits as the fast engine's
                int[][] shortCtx = {java.util.Arrays.copyOf(xy[0][0], 5)};
                float[][] fastShort = gpt.allLogits(shortCtx[0]);
                float[][][] dlShort = Dl4jGpt.logits(g, shortCtx);
                for (int t = 0; t < 5; t++) {
                    assertTrue(maxAbsDiff(fastShort[t], dlShort[0][t]) < 1e-4);
                }
                double lf = gpt.loss(xy[0], xy[1]);
                double ld = Dl4jGpt.loss(g, xy[0], xy[1]);
                assertEquals(lf, ld, 1e-5, c + " loss");
                assertEquals(Math.log(c.vocabSize()), lf, 0.3, "loss near ln(V) at init");
            }
        }
    }

    @Test
    void weightsRoundTripBothWays() {
        for (GPTConfig c : List.of(TIED, UNTIED_BIAS)) {
            ComputationGraph g = Dl4jGpt.build(c, SEED);
            try (GPT want = GPT.create(c, SEED); GPT back = Dl4jGpt.toGpt(g, c)) {
                assertArrayEquals(want.params(), back.params(), c.toString());
            }
            assertEquals(GPT.countParams(c) + (c.tiedEmbeddings() ? (long) c.vocabSize() * c.nEmbd() : 0),
                    g.numParams(), "graph holds GPT's parameters (+ a second embedding copy when tied)");
        }
    }

    /**
     * DL4J's raw gradient (computeGradientAndScore) is that of the loss summed over time and sequences; the fast
     * GPT's is that of the per-token mean. GPT's gradient is read through its public API: one AdamW step with
     * beta1 = beta2 = 0, eps = lr = 1e4 moves each parameter by g / (1 + |g| / 1e4), i.e. by g.
     */
    @Test
    void gradientsMatch() {
        GPTConfig c = UNTIED_BIAS;
        int rows = 4, T = c.blockSize();
        int[][][] xy = batch(c, rows, 3);
        ComputationGraph g = Dl4jGpt.build(c, SEED);
        float[] fastGrad;
        try (GPT gpt = GPT.create(c, SEED)) {
            float[] p = gpt.params();
            Random r = new Random(9);
            for (int i = 0; i < p.length; i++) {
                p[i] += (float) (r.nextGaussian() * 0.05);
            }
            gpt.setParams(p);
            Dl4jGpt.copyWeights(gpt, g);
            double e = 1e4;
            TrainConfig probe = new TrainConfig(e, e, 0, 1_000_000, 0.0, 0.0, 0.0, e, 0.0, rows, 1, 0, 1, 0, 1, 0, false);
            gpt.trainStep(xy[0], xy[1], e, probe);
            float[] p1 = gpt.params();
            fastGrad = new float[p.length];
            for (int i = 0; i < p.length; i++) {
                double d = (double) p[i] - p1[i];
                fastGrad[i] = (float) (d / (1 - Math.abs(d) / e));
            }
        }
        g.setInputs(Dl4jGpt.features(xy[0]));
        g.setLabels(Dl4jGpt.labels(xy[1], c.vocabSize()));
        g.computeGradientAndScore();
        Gradient grad = g.gradient();
        // map the graph's gradient into GPT's layout with the same code that maps parameters
        ComputationGraph asParams = Dl4jGpt.build(c, SEED);
        for (Map.Entry<String, INDArray> e : grad.gradientForVariable().entrySet()) {
            asParams.paramTable().get(e.getKey()).assign(e.getValue().div(rows * T));
        }
        try (GPT dlGrad = Dl4jGpt.toGpt(asParams, c)) {
            float[] dg = dlGrad.params();
            double maxDiff = maxAbsDiff(fastGrad, dg), maxAbs = 0;
            for (float v : fastGrad) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            assertTrue(maxAbs > 1e-3, "gradient is not trivially zero: " + maxAbs);
            StringBuilder per = new StringBuilder();
            try (GPT ref = GPT.create(c, SEED)) {
                for (Map.Entry<String, int[]> t : Dl4jGpt.layout(ref).entrySet()) {
                    double n1 = 0, n2 = 0, dd = 0;
                    for (int i = t.getValue()[0]; i < t.getValue()[0] + t.getValue()[1]; i++) {
                        n1 += fastGrad[i] * fastGrad[i];
                        n2 += dg[i] * dg[i];
                        dd = Math.max(dd, Math.abs(fastGrad[i] - dg[i]));
                    }
                    per.append(String.format("%n  %s |g|=%.3g |dl4j|=%.3g maxdiff=%.3g", t.getKey(), Math.sqrt(n1),
                            Math.sqrt(n2), dd));
                }
            }
            assertTrue(maxDiff < 2e-4 * Math.max(1, maxAbs), "max |g_dl4j - g_gpt| = " + maxDiff + " (max |g| "
                    + maxAbs + ")" + per);
        }
    }

    @Test
    void oneAdamWStepMovesBothTheSameWay() {
        GPTConfig c = UNTIED_BIAS;
        int rows = 4;
        int[][][] xy = batch(c, rows, 5);
        TrainConfig tc = plain(3e-3, 0.1, rows);
        ComputationGraph g = Dl4jGpt.build(c, tc, SEED);
        try (GPT gpt = GPT.create(c, SEED)) {
            double before = gpt.loss(xy[0], xy[1]);
            int steps = 2;
            for (int step = 0; step < steps; step++) {
                gpt.trainStep(xy[0], xy[1], tc.schedule().at(step), tc);
                g.fit(Dl4jGpt.dataSet(xy[0], xy[1], c.vocabSize()));
            }
            double fast = gpt.loss(xy[0], xy[1]);
            double dl = Dl4jGpt.loss(g, xy[0], xy[1]);
            assertTrue(fast < before - 0.01, "fast engine learns: " + before + " -> " + fast);
            assertEquals(fast, dl, 1e-3, "loss after " + steps + " AdamW steps");
            try (GPT back = Dl4jGpt.toGpt(g, c)) {
                // Adam moves every parameter by about lr whatever its gradient's size, so a parameter whose gradient
                // is rounding noise (|g| ~ 1e-8) may move differently in the two engines; all others agree
                float[] a = gpt.params(), b = back.params();
                int off = 0;
                for (int i = 0; i < a.length; i++) {
                    if (Math.abs(a[i] - b[i]) > 0.05 * tc.learningRate()) {
                        off++;
                    }
                }
                assertTrue(off <= a.length / 1000, off + " of " + a.length + " parameters differ by more than 5% of "
                        + "a step (max " + maxAbsDiff(a, b) + ")");
            }
        }
    }

    @Test
    void weightDecayOnlyWhereGptDecays() {
        ComputationGraph g = Dl4jGpt.build(UNTIED_BIAS, SEED);
        var block = g.getLayer(Dl4jGpt.block(0)).conf().getLayer();
        assertEquals(1, block.getRegularizationByParam(TransformerBlock.QKV_W).size());
        assertEquals(1, block.getRegularizationByParam(TransformerBlock.FC2_W).size());
        assertTrue(empty(block.getRegularizationByParam(TransformerBlock.LN1_G)));
        assertTrue(empty(block.getRegularizationByParam(TransformerBlock.QKV_B)));
        assertTrue(empty(g.getLayer(Dl4jGpt.WTE).conf().getLayer().getRegularizationByParam("W")));
        assertTrue(empty(g.getLayer(Dl4jGpt.WPE).conf().getLayer()
                .getRegularizationByParam(PositionEmbeddingLayer.WPE)));
        assertEquals(1, g.getLayer(Dl4jGpt.LM_HEAD).conf().getLayer().getRegularizationByParam("W").size());
        ComputationGraph tied = Dl4jGpt.build(TIED, SEED);
        assertTrue(empty(tied.getLayer(Dl4jGpt.LM_HEAD).conf().getLayer().getRegularizationByParam("W")));
    }

    private static boolean empty(List<?> l) {
        return l == null || l.isEmpty();
    }

    @Test
    void modelSerializerRoundTripResumesExactly() throws Exception {
        GPTConfig c = TIED;
        int[][][] xy = batch(c, 2, 11);
        TrainConfig tc = TrainConfig.defaults().withWarmupSteps(2).withMaxSteps(10).withGradClip(0);
        ComputationGraph g = Dl4jGpt.build(c, tc, SEED);
        g.fit(Dl4jGpt.dataSet(xy[0], xy[1], c.vocabSize()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, bytes, true);
        ComputationGraph r = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                true);
        assertEquals(g.getConfiguration().toJson(), r.getConfiguration().toJson());
        assertEquals(g.params(), r.params());
        assertEquals(g.getUpdater().getStateViewArray(), r.getUpdater().getStateViewArray());
        assertEquals(Dl4jGpt.loss(g, xy[0], xy[1]), Dl4jGpt.loss(r, xy[0], xy[1]), 0.0);
        g.fit(Dl4jGpt.dataSet(xy[0], xy[1], c.vocabSize()));
        r.fit(Dl4jGpt.dataSet(xy[0], xy[1], c.vocabSize()));
        assertEquals(g.params(), r.params(), "the restored graph resumes with the same updater state and step");
    }

    @Test
    void rejectsWhatTheGraphCannotTrainAlike() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dl4jGpt.build(TIED.withDropout(0.1), SEED));
        assertTrue(e.getMessage().contains("dropout"), e.getMessage());
        ComputationGraph g = Dl4jGpt.build(TIED, SEED);
        GPTConfig other = new GPTConfig(13, 8, 2, 2, 32, 0.0, false, true);
        e = assertThrows(IllegalArgumentException.class, () -> Dl4jGpt.toGpt(g, other));
        assertTrue(e.getMessage().contains("another GPTConfig"), e.getMessage());
    }
}
