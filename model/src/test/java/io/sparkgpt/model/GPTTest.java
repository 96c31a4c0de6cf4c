package io.sparkgpt.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class GPTTest {

    static int[][][] randomBatch(int rows, int T, int V, long seed) {
        Rng r = new Rng(seed);
        int[][] x = new int[rows][T], y = new int[rows][T];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < T; t++) {
                x[i][t] = r.nextInt(V);
                y[i][t] = r.nextInt(V);
            }
        }
        return new int[][][] {x, y};
    }

    @Test
    void initialLossIsCloseToLnVocab() {
        GPTConfig c = new GPTConfig(97, 16, 2, 2, 32, 0.0, true, true);
        try (GPT g = GPT.create(c, 1)) {
            int[][][] b = randomBatch(8, 16, 97, 2);
            double loss = g.loss(b[0], b[1]);
            assertEquals(Math.log(97), loss, 0.1, "init loss");
            assertEquals(GPT.countParams(c), g.numParams());
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (int variant = 0; variant < 3; variant++) {
            boolean bias = variant == 0;
            // variant 2: the exact (erf) GELU, whose backward is a separate code path
            GPTConfig c = new GPTConfig(11, 6, 2, 2, 8, 0.0, bias, !bias, variant == 2);
            try (GPT g = GPT.create(c, 3)) {
                // larger weights than GPT-2 init so that every path carries a visible gradient
                float[] p = g.params();
                Rng r = new Rng(9);
                for (int i = 0; i < p.length; i++) {
                    p[i] += (float) (r.nextGaussian() * 0.3);
                }
                g.setParams(p);
                int[][][] b = randomBatch(3, 6, 11, 4);
                g.gradient(b[0], new CrossEntropyLoss(b[1]), TrainConfig.defaults().withBatch(2, 1)); // 2 + 1 rows
                float[] an = g.gradientCopy();
                int checked = 0;
                double worst = 0;
                for (int i = 0; i < p.length; i += Math.max(1, p.length / 150)) {
                    float eps = 1e-2f;
                    float[] q = p.clone();
                    q[i] = p[i] + eps;
                    g.setParams(q);
                    double lp = g.loss(b[0], b[1]);
                    q[i] = p[i] - eps;
                    g.setParams(q);
                    double lm = g.loss(b[0], b[1]);
                    double fd = (lp - lm) / (2 * eps);
                    double err = Math.abs(fd - an[i]);
                    worst = Math.max(worst, err / (1e-3 + Math.abs(fd)));
                    assertTrue(err <= 2e-3 + 3e-2 * Math.abs(fd),
                            "param " + i + " (" + c + ") " + g.tensorNames() + ": analytic " + an[i] + " fd " + fd);
                    checked++;
                }
                g.setParams(p);
                assertTrue(checked > 100);
            }
        }
    }

    @Test
    void causalAttentionBlocksGiveTheGradientOfOneBlock() {
        // T = 48 in blocks of 16 rows (3 blocks: keys 16, 32, 48) against one block of 64; with and without dropout
        for (double drop : new double[] {0.0, 0.1}) {
            GPTConfig c = new GPTConfig(11, 48, 2, 2, 16, drop, false, true);
            int[][][] b = randomBatch(2, 48, 11, 8);
            try (GPT one = GPT.create(c, 5).setThreads(1); GPT blocks = GPT.create(c, 5).setThreads(1).attentionBlock(16)) {
                TrainConfig tc = TrainConfig.defaults().withBatch(2, 2);
                double l1 = one.gradient(b[0], new CrossEntropyLoss(b[1]), tc);
                double l3 = blocks.gradient(b[0], new CrossEntropyLoss(b[1]), tc);
                assertEquals(l1, l3, 1e-6, "loss, dropout " + drop);
                float[] g1 = one.gradientCopy(), g3 = blocks.gradientCopy();
                for (int i = 0; i < g1.length; i++) {
                    assertEquals(g1[i], g3[i], 1e-6 + 1e-4 * Math.abs(g1[i]), "param " + i + ", dropout " + drop);
                }
            }
        }
    }

    @Test
    void normalCdfMatchesTheTable() {
        // Phi at a few points (to 10 digits): the exact GELU is x * Phi(x)
        double[][] table = {{0, 0.5}, {1, 0.8413447461}, {-1, 0.1586552539}, {-2, 0.0227501319},
            {3, 0.9986501020}, {0.5, 0.6914624613}, {-6, 9.865876e-10}};
        for (double[] row : table) {
            assertEquals(row[1], GPT.normalCdf((float) row[0]), 2e-7, "Phi(" + row[0] + ")");
        }
    }

    @Test
    void configsWrittenBeforeExactGeluReadAsTanh() {
        GPTConfig old = GPTConfig.fromJson("{\"vocabSize\":65,\"blockSize\":64,\"nLayer\":4,\"nHead\":4,"
                + "\"nEmbd\":128,\"dropout\":0.0,\"bias\":false,\"tiedEmbeddings\":true}");
        assertEquals(GPTConfig.nanoShakespeare(65), old);
        GPTConfig exact = GPTConfig.nanoShakespeare(65).withExactGelu(true);
        assertEquals(exact, GPTConfig.fromJson(exact.toJson()));
    }

    @Test
    void overfitsOneBatch() {
        GPTConfig c = new GPTConfig(20, 8, 2, 2, 32, 0.0, false, true);
        TrainConfig tc = TrainConfig.defaults().withBatch(4, 1).withWeightDecay(0).withGradClip(1.0);
        try (GPT g = GPT.create(c, 5)) {
            int[][][] b = randomBatch(4, 8, 20, 6);
            double first = 0, last = 0;
            for (int s = 0; s < 300; s++) {
                last = g.trainStep(b[0], b[1], 3e-3, tc);
                if (s == 0) {
                    first = last;
                }
            }
            assertTrue(first > 2.5, "first loss " + first);
            assertTrue(last < 0.05, "loss after 300 steps on one batch: " + last);
        }
    }

    @Test
    void decayEmbeddingsDecaysExactlyTheEmbeddings() {
        GPTConfig c = new GPTConfig(20, 8, 1, 2, 16, 0.0, false, true);
        TrainConfig tc = TrainConfig.defaults().withBatch(2, 1).withWeightDecay(0.5);
        double lr = 0.1;
        int[][][] b = randomBatch(2, 8, 20, 9);
        try (GPT plain = GPT.create(c, 3); GPT decayed = GPT.create(c, 3)) {
            float[] p0 = plain.params();
            plain.trainStep(b[0], b[1], lr, tc);
            decayed.trainStep(b[0], b[1], lr, tc.withDecayEmbeddings(true));
            float[] a = plain.params();
            float[] d = decayed.params();
            int emb = (20 + 8) * 16; // wte then wpe lead the parameter vector
            for (int i = 0; i < a.length; i++) {
                // the AdamW step is the same; only the decoupled decay p * lr * wd differs, on the embeddings
                double expected = i < emb ? p0[i] * lr * 0.5 : 0;
                assertEquals(expected, a[i] - d[i], 1e-6, "parameter " + i);
            }
        }
    }
}
