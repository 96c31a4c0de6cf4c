package io.sparkgpt.model.compress;

import static org.junit.jupiter.api.Assertions.*;

import io.sparkgpt.model.CrossEntropyLoss;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DistillationLossTest {
    static final GPTConfig C = new GPTConfig(13, 6, 1, 2, 8, 0.0, false, true);

    static int[][][] batch(long seed) {
        Random r = new Random(seed);
        int[][] x = new int[3][6], y = new int[3][6];
        for (int i = 0; i < 3; i++) {
            for (int t = 0; t < 6; t++) {
                x[i][t] = r.nextInt(13);
                y[i][t] = r.nextInt(13);
            }
        }
        return new int[][][] {x, y};
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheLoss() {
        try (GPT student = PruningTest.model(C, 1); GPT teacher = PruningTest.model(C, 2)) {
            int[][][] b = batch(3);
            float[] tl = DistillationLoss.teacherLogits(teacher, b[0]);
            TrainConfig tc = TrainConfig.defaults().withBatch(2, 1).withGradClip(0);
            float[] p = student.params();
            float[] before = p.clone();
            // one SGD-like probe: the loss must fall along the negative gradient (AdamW with a tiny step)
            double l0 = student.gradient(b[0], new DistillationLoss(tl, b[1], 2.0, 1.0, 0.5, 13), tc);
            // finite difference of the loss along a random direction vs the gradient's projection is done through
            // the model's own update: loss after a small step must drop
            student.update(1e-3, tc.withWeightDecay(0));
            double l1 = student.forwardInference(b[0], new LossOnly(tl, b[1]));
            assertTrue(l1 < l0, l0 + " -> " + l1);
            student.setParams(before);
            // the loss itself: KL of identical logits is 0, so teacher = student leaves only alpha * CE
            float[] own = DistillationLoss.teacherLogits(student, b[0]);
            double kdOnly = student.forwardInference(b[0], new LossOnly(own, b[1], 3.0, 1.0, 0.0));
            assertEquals(0.0, kdOnly, 1e-6, "KL(p || p) = 0");
            double ceOnly = student.forwardInference(b[0], new LossOnly(own, b[1], 3.0, 0.0, 1.0));
            double ref = student.forwardInference(b[0], new CrossEntropyLoss(b[1]));
            assertEquals(ref, ceOnly, 1e-5, "alpha term = cross-entropy");
        }
    }

    @Test
    void gradientOfTheSoftTermMatchesFiniteDifferences() {
        int V = 13;
        Random r = new Random(5);
        int[][] y = {{3, 7}};
        float[] t = new float[2 * V], s = new float[2 * V];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) r.nextGaussian() * 2;
            s[i] = (float) r.nextGaussian() * 2;
        }
        DistillationLoss loss = new DistillationLoss(t, y, 2.5, 0.7, 0.3, V);
        float[] g = s.clone();
        loss.apply(0, FakeBatch.of(g, 1, 2, V));
        for (int i = 0; i < s.length; i++) {
            float[] a = s.clone(), b = s.clone();
            a[i] += 1e-2f;
            b[i] -= 1e-2f;
            double fa = loss.apply(0, FakeBatch.of(a, 1, 2, V)), fb = loss.apply(0, FakeBatch.of(b, 1, 2, V));
            assertEquals((fa - fb) / 2e-2, g[i], 2e-3, "d loss / d s[" + i + "]");
        }
    }

    /** Evaluates the distillation loss without keeping its gradient (forwardInference ignores it). */
    record LossOnly(float[] t, int[][] y, double tau, double kd, double alpha) implements io.sparkgpt.model.LogitsLoss {
        LossOnly(float[] t, int[][] y) {
            this(t, y, 2.0, 1.0, 0.5);
        }

        @Override
        public double apply(int row0, io.sparkgpt.model.MicroBatch mb) {
            return new DistillationLoss(t, y, tau, kd, alpha, mb.V()).apply(row0, mb);
        }
    }

    /** A MicroBatch over a plain array, for testing a loss alone. */
    record FakeBatch(java.nio.FloatBuffer logits, int rows, int T, int V) implements io.sparkgpt.model.MicroBatch {
        static FakeBatch of(float[] a, int rows, int T, int V) {
            return new FakeBatch(java.nio.FloatBuffer.wrap(a), rows, T, V);
        }

        @Override
        public int C() {
            return 1;
        }

        @Override
        public java.nio.FloatBuffer hidden() {
            return java.nio.FloatBuffer.allocate(rows * T);
        }

        @Override
        public java.nio.FloatBuffer hiddenGrad() {
            return java.nio.FloatBuffer.allocate(rows * T);
        }
    }
}
